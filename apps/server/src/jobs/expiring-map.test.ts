import { describe, expect, it } from 'vitest';
import { ExpiringMap } from './expiring-map.ts';

describe('ExpiringMap', () => {
  it('forgets an entry ttl after its last set, and a set renews it', () => {
    const map = new ExpiringMap<string>(100);
    map.set('a', 'first', 0);
    map.set('b', 'second', 50);
    expect(map.get('a', 99)).toBe('first');
    expect(map.get('a', 100)).toBeUndefined();
    map.set('b', 'renewed', 120);
    expect(map.get('b', 200)).toBe('renewed');
    map.delete('b');
    expect(map.get('b', 200)).toBeUndefined();
  });

  it('drops expired entries as new ones arrive, so it does not grow without bound', () => {
    const map = new ExpiringMap<number>(10);
    for (let t = 0; t < 10_000; t += 1) map.set(`k${t}`, t, t);
    // Only the last ttl's worth is still held: the first key is gone, a recent one is there.
    expect(map.get('k0', 9_999)).toBeUndefined();
    expect(map.get('k9995', 9_999)).toBe(9995);
    expect(map.size).toBeLessThanOrEqual(11);
  });
});
