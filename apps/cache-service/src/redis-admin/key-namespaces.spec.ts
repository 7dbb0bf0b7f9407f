import { CacheKeys, RedisKeys } from '../redis/redis-keys.js';
import { classifyKey, datasourceIdOf, isProtectedKey, protectedPatternsReachedBy } from './key-namespaces.js';

describe('key namespaces', () => {
  const entry = CacheKeys.entryKey(7, 3, 1234);
  // What a previous version (cache layout 1) wrote, still recognised so that it can be inspected and deleted.
  const legacyEntry = `${CacheKeys.entryPrefix(7, 3)}m:m%3A1:p:p:prov:v:freq:Monthly`;

  it.each([
    [CacheKeys.meta(7), 'analytics-meta', true],
    [entry, 'analytics-entry', false],
    [legacyEntry, 'analytics-entry', false],
    [`${CacheKeys.indexPrefix(7, 3)}master`, 'analytics-index', false],
    [`${CacheKeys.indexPrefix(7, 3)}${CacheKeys.indexSuffixes.ranges()}`, 'analytics-index', false],
    [`${CacheKeys.indexPrefix(7, 3)}${CacheKeys.indexSuffixes.registry()}`, 'analytics-index', false],
    [`${CacheKeys.indexPrefix(7, 3)}${CacheKeys.indexSuffixes.directory()}`, 'analytics-index', false],
    [
      `${CacheKeys.indexPrefix(7, 3)}${CacheKeys.indexSuffixes.measureFrequency('Charges', 'Monthly')}`,
      'analytics-index',
      false,
    ],
    [`${CacheKeys.indexPrefix(7, 3)}${CacheKeys.indexSuffixes.provider('12')}`, 'analytics-index', false],
    [CacheKeys.queryStats(7), 'analytics-stats', false],
    [CacheKeys.hourlyUsage(7, '2025100112'), 'analytics-stats', false],
    [CacheKeys.warmLock(7), 'lock', true],
    ['{ccc}:warming:42', 'queue', true],
    [RedisKeys.throttleHits('default', 'user:1'), 'rate-limit', true],
    [RedisKeys.loginBlock('login:abc'), 'rate-limit', true],
    [RedisKeys.lease('alerts'), 'lease', true],
    [RedisKeys.warmControl('job-1'), 'service', true],
    [RedisKeys.auditOutbox(), 'service', true],
    ['session:abc', 'other', false],
    ['cache:unknown', 'other', false],
  ])('%s is %s (protected: %s)', (key, namespace, isProtected) => {
    expect(classifyKey(key)).toBe(namespace);
    expect(isProtectedKey(key)).toBe(isProtected);
  });

  // Generic prefixes other applications use too: only the service's exact key shapes are its own.
  it.each([
    'bull:emails:42',
    'bull:emails:wait',
    'lock:payments:7',
    'lock:warm:{ds:x}',
    'cache:meta:user-42',
    'cache:meta:{ds:7}:extra',
    'cache:stats:homepage',
    'cache:usage:today',
    'cache:usage:{ds:7}:today',
    'cache:{ds:7}:g3:whatever',
    'cache:{ds:7}:gx:m:a:p:b:prov:c:freq:d',
    'idx:{ds:7}:g3:unknown:set',
    'idx:{ds:abc}:g3:master',
    '{ccc}warming',
    '{other}:queue:1',
  ])('%s belongs to another application', (key) => {
    expect(classifyKey(key)).toBe('other');
    expect(isProtectedKey(key)).toBe(false);
  });

  it('finds the protected namespaces a pattern could reach', () => {
    expect(protectedPatternsReachedBy('*')).toEqual(
      expect.arrayContaining(['cache:meta:{ds:*}', 'lock:warm:{ds:*}', '{ccc}:*', 'ccc:*']),
    );
    expect(protectedPatternsReachedBy('cache:*')).toEqual(['cache:meta:{ds:*}']);
    expect(protectedPatternsReachedBy('{*')).toEqual(['{ccc}:*']);
    expect(protectedPatternsReachedBy('ccc:throttle:*')).toEqual(expect.arrayContaining(['ccc:throttle:*', 'ccc:*']));
    expect(protectedPatternsReachedBy('cache:{ds:7}:g3:*')).toEqual([]);
    expect(protectedPatternsReachedBy('idx:{ds:*}:g2:*')).toEqual([]);
    expect(protectedPatternsReachedBy('session:*')).toEqual([]);
    // Other applications' keys under generic prefixes are not protected: admins purge them without allowProtected.
    expect(protectedPatternsReachedBy('bull:*')).toEqual([]);
    expect(protectedPatternsReachedBy('lock:payments:*')).toEqual([]);
  });

  it('reads the datasource id from the hash tag', () => {
    expect(datasourceIdOf(CacheKeys.meta(42))).toBe(42);
    expect(datasourceIdOf('session:1')).toBeNull();
  });
});
