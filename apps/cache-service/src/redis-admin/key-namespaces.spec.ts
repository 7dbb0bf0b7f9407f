import { CacheKeys, RedisKeys } from '../redis/redis-keys.js';
import { classifyKey, datasourceIdOf, isProtectedKey, protectedPatternsReachedBy } from './key-namespaces.js';

describe('key namespaces', () => {
  it.each([
    [CacheKeys.meta(7), 'analytics-meta', true],
    [`${CacheKeys.entryPrefix(7, 3)}${CacheKeys.entrySuffix({ measure: 'm', practice: 'p', provider: 'v', frequency: 'Monthly' })}`, 'analytics-entry', false],
    [`${CacheKeys.indexPrefix(7, 3)}master`, 'analytics-index', false],
    [CacheKeys.queryStats(7), 'analytics-stats', false],
    [CacheKeys.hourlyUsage(7, '2025100112'), 'analytics-stats', false],
    [CacheKeys.warmLock(7), 'lock', true],
    ['{ccc}:warming:42', 'queue', true],
    ['bull:legacy:1', 'queue', true],
    [RedisKeys.throttleHits('default', 'user:1'), 'rate-limit', true],
    [RedisKeys.lease('alerts'), 'lease', true],
    [RedisKeys.warmControl('job-1'), 'service', true],
    ['session:abc', 'other', false],
    ['cache:unknown', 'other', false],
  ])('%s is %s (protected: %s)', (key, namespace, isProtected) => {
    expect(classifyKey(key)).toBe(namespace);
    expect(isProtectedKey(key)).toBe(isProtected);
  });

  it('finds the protected namespaces a pattern could reach', () => {
    expect(protectedPatternsReachedBy('*')).toEqual(expect.arrayContaining(['cache:meta:*', 'lock:*', '{ccc}*', 'bull:*', 'ccc:*']));
    expect(protectedPatternsReachedBy('cache:*')).toEqual(['cache:meta:*']);
    expect(protectedPatternsReachedBy('{*')).toEqual(['{ccc}*']);
    expect(protectedPatternsReachedBy('ccc:throttle:*')).toEqual(expect.arrayContaining(['ccc:throttle:*', 'ccc:*']));
    expect(protectedPatternsReachedBy('cache:{ds:7}:g3:*')).toEqual([]);
    expect(protectedPatternsReachedBy('idx:{ds:*}:g2:*')).toEqual([]);
    expect(protectedPatternsReachedBy('session:*')).toEqual([]);
  });

  it('reads the datasource id from the hash tag', () => {
    expect(datasourceIdOf(CacheKeys.meta(42))).toBe(42);
    expect(datasourceIdOf('session:1')).toBeNull();
  });
});
