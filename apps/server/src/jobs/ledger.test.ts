import { describe, expect, it } from 'vitest';
import { useRedisServer } from '../../test/helpers/use-redis.ts';
import { RedisKeys } from '../keys.ts';
import { MemoryLedger, type DeliveryLedger } from './ledger.ts';
import { RedisLedger } from './redis-ledger.ts';

const redis = useRedisServer();

function describeLedgerContract(name: string, create: () => DeliveryLedger): void {
  describe(`DeliveryLedger contract: ${name}`, () => {
    it('hands a claim to exactly one of many concurrent callers', async () => {
      const ledgers = [create(), create(), create()];
      const wins = await Promise.all(Array.from({ length: 30 }, (_, i) => ledgers[i % 3]!.claim('m1', 'carol')));
      expect(wins.filter(Boolean)).toHaveLength(1);
      // Another recipient, another message: their own claims.
      expect(await ledgers[0]!.claim('m1', 'dave')).toBe(true);
      expect(await ledgers[0]!.claim('m2', 'carol')).toBe(true);
    });

    it('gives a released claim out again, but never one that was sent', async () => {
      const ledger = create();
      expect(await ledger.claim('m3', 'carol')).toBe(true);
      await ledger.release('m3', 'carol');
      expect(await ledger.claim('m3', 'carol')).toBe(true);
      await ledger.sent('m3', 'carol');
      await ledger.release('m3', 'carol');
      expect(await ledger.claim('m3', 'carol')).toBe(false);
    });

    it('keeps ids apart that a naive separator would join', async () => {
      const ledger = create();
      expect(await ledger.claim('a:b', 'c')).toBe(true);
      expect(await ledger.claim('a', 'b:c')).toBe(true);
    });
  });
}

const memory = new MemoryLedger();
describeLedgerContract('memory', () => memory);
describeLedgerContract('redis', () => new RedisLedger({ redis: redis.admin, keys: new RedisKeys('test:') }));
