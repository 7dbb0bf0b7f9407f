/** Lua scripts of the Redis leases (warm locks, periodic-task locks): only the holder may renew or release. */

/** Extends the lease if the caller still holds it. ARGV: holder value, lease ms. */
export const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * A worker's claim on the warming lock for one execution of a job: taken from the queued lease (value = job id),
 * from an earlier execution of the same job (value = job id # token), or when free. ARGV: job id, token, lease ms.
 */
export const CLAIM_LOCK = `
local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] or string.sub(v, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '#' then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

/** Frees the lock if it belongs to the job, whichever execution holds it. ARGV: job id. */
export const RELEASE_JOB_LOCK = `
local v = redis.call('GET', KEYS[1])
if v and (v == ARGV[1] or string.sub(v, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '#') then return redis.call('DEL', KEYS[1]) end
return 0
`;

export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
