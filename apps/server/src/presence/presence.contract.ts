import { afterEach, describe, expect, it } from 'vitest';
import type { PresenceManager } from '@parley/api';

export type ClosablePresence = PresenceManager & { close?(): Promise<void> | void };

/**
 * What every presence manager guarantees for one instance. `create` returns a started manager;
 * state from earlier tests must not be visible (a fresh store, or a flushed one).
 */
export function describePresenceContract(name: string, create: (instanceId: string) => Promise<ClosablePresence>): void {
  describe(`PresenceManager contract: ${name}`, () => {
    const open: ClosablePresence[] = [];
    const presence = async (instanceId = 'i1') => {
      const p = await create(instanceId);
      open.push(p);
      return p;
    };
    afterEach(async () => {
      for (const p of open.splice(0)) await p.close?.();
    });
    const conn = (userId: string, connectionId: string, sessionId = `s-${userId}`) => ({ userId, sessionId, connectionId });

    it('counts a user with several devices once, and comes online with the first', async () => {
      const p = await presence();
      expect(await p.connect(conn('ann', 'c1', 'phone'))).toEqual({ connections: 1, becameOnline: true });
      expect(await p.connect(conn('ann', 'c2', 'laptop'))).toEqual({ connections: 2, becameOnline: false });
      expect(await p.connect(conn('bob', 'c3'))).toEqual({ connections: 1, becameOnline: true });
      expect(await p.connectionCounts(['ann', 'bob', 'nobody'])).toEqual(
        new Map([
          ['ann', 2],
          ['bob', 1],
          ['nobody', 0],
        ]),
      );
      expect(await p.connectionCounts([])).toEqual(new Map());
    });

    it('goes offline with the last connection, and ignores unknown disconnects', async () => {
      const p = await presence();
      await p.connect(conn('ann', 'c1'));
      await p.connect(conn('ann', 'c2'));
      expect(await p.disconnect(conn('ann', 'c1'))).toEqual({ connections: 1, becameOffline: false });
      expect(await p.disconnect(conn('ann', 'c1'))).toEqual({ connections: 1, becameOffline: false });
      expect(await p.disconnect(conn('ann', 'c2'))).toEqual({ connections: 0, becameOffline: true });
      expect(await p.disconnect(conn('ann', 'c2'))).toEqual({ connections: 0, becameOffline: false });
      expect(await p.disconnect(conn('nobody', 'c9'))).toEqual({ connections: 0, becameOffline: false });
      expect((await p.connectionCounts(['ann'])).get('ann')).toBe(0);
      expect(await p.connect(conn('ann', 'c3'))).toEqual({ connections: 1, becameOnline: true });
    });

    it('treats a repeated connect of the same connection as one', async () => {
      const p = await presence();
      await p.connect(conn('ann', 'c1'));
      expect(await p.connect(conn('ann', 'c1'))).toEqual({ connections: 1, becameOnline: false });
      expect(p.localStats()).toEqual({ id: 'i1', connections: 1, users: 1 });
      expect(await p.disconnect(conn('ann', 'c1'))).toEqual({ connections: 0, becameOffline: true });
    });

    it('describes each connection of a user', async () => {
      const p = await presence('node-a');
      const before = Date.now();
      await p.connect(conn('ann', 'c1', 'phone'));
      await p.connect(conn('ann', 'c2', 'laptop'));
      const list = await p.connectionsOf('ann');
      expect(list.map((c) => ({ ...c, connectedAt: undefined })).sort((x, y) => x.connectionId.localeCompare(y.connectionId))).toEqual([
        { connectionId: 'c1', sessionId: 'phone', instanceId: 'node-a', connectedAt: undefined },
        { connectionId: 'c2', sessionId: 'laptop', instanceId: 'node-a', connectedAt: undefined },
      ]);
      for (const c of list) {
        expect(c.connectedAt).toBeInstanceOf(Date);
        expect(c.connectedAt.getTime()).toBeGreaterThanOrEqual(before - 1);
        expect(c.connectedAt.getTime()).toBeLessThanOrEqual(Date.now());
      }
      expect(await p.connectionsOf('nobody')).toEqual([]);
    });

    it('reports cluster and local stats', async () => {
      const p = await presence('node-a');
      await p.connect(conn('ann', 'c1'));
      await p.connect(conn('ann', 'c2'));
      await p.connect(conn('bob', 'c3'));
      const stats = await p.stats();
      expect({ ...stats, users: [...stats.users].sort() }).toEqual({ instances: 1, connections: 3, users: ['ann', 'bob'] });
      expect(p.localStats()).toEqual({ id: 'node-a', connections: 3, users: 2 });
      await p.disconnect(conn('bob', 'c3'));
      expect((await p.stats()).users).toEqual(['ann']);
      expect(p.localStats()).toEqual({ id: 'node-a', connections: 2, users: 1 });
    });
  });
}
