import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('forgets the least recently used entry when full, not everything', () => {
    const cache = new LruCache<string, number>(3, 60_000);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('d', 4);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);
    expect(cache.size).toBe(3);
  });

  it('keeps a valid entry through a flood of distinct keys as long as it is in use', () => {
    const cache = new LruCache<string, string>(100, 60_000);
    cache.set('service-key', 'principal');
    for (let i = 0; i < 10_000; i++) {
      cache.set(`random-${i}`, 'nobody');
      if (i % 50 === 0) expect(cache.get('service-key')).toBe('principal');
    }
    expect(cache.size).toBe(100);
  });

  it('expires entries after their age, or at their own deadline when sooner', () => {
    const cache = new LruCache<string, number>(10, 1_000);
    cache.set('a', 1, Infinity, 0);
    cache.set('b', 2, 500, 0);
    expect(cache.get('a', 999)).toBe(1);
    expect(cache.get('b', 500)).toBeUndefined();
    expect(cache.get('a', 1_000)).toBeUndefined();
  });

  it('deletes the entries a predicate selects', () => {
    const cache = new LruCache<string, { owner: string }>(10, 60_000);
    cache.set('k1', { owner: 'u1' });
    cache.set('k2', { owner: 'u2' });
    cache.set('k3', { owner: 'u1' });
    cache.deleteWhere((value) => value.owner === 'u1');
    expect([cache.get('k1'), cache.get('k2')?.owner, cache.get('k3')]).toEqual([undefined, 'u2', undefined]);
  });
});
