/**
 * Lua scripts of the analytics cache. Each declares the datasource's meta key; the other keys it touches
 * carry the same `{ds:N}` hash tag, which keeps them legal on Redis Cluster (TOOLCHAIN.md).
 */

/** Allocates the shadow generation and reports the live generation and invalidation epoch it started from. */
export const BEGIN_WARM = `
local g = redis.call('HINCRBY', KEYS[1], 'nextGen', 1)
redis.call('HSET', KEYS[1], 'shadowGen', g)
return { g, redis.call('HGET', KEYS[1], 'gen') or '', redis.call('HGET', KEYS[1], 'epoch') or '0' }
`;

/**
 * The swap: one compare-and-set on the meta hash, O(1) whatever the number of keys. Refuses when another
 * generation went live, the datasource was invalidated since the warm began, or the warming lock no longer
 * holds this execution's token (another execution of the same job took over: only one may swap).
 * KEYS: meta, query stats, warming lock. ARGV: expected live gen, expected epoch, new gen, lock token, then
 * field/value pairs.
 */
export const SWAP = `
if redis.call('GET', KEYS[3]) ~= ARGV[4] then return 'lock_lost' end
if (redis.call('HGET', KEYS[1], 'gen') or '') ~= ARGV[1] then return 'generation_changed' end
if (redis.call('HGET', KEYS[1], 'epoch') or '0') ~= ARGV[2] then return 'invalidated' end
redis.call('HSET', KEYS[1], 'gen', ARGV[3], unpack(ARGV, 5))
redis.call('HDEL', KEYS[1], 'dropped')
if redis.call('HGET', KEYS[1], 'shadowGen') == ARGV[3] then redis.call('HDEL', KEYS[1], 'shadowGen') end
redis.call('DEL', KEYS[2])
return 'ok'
`;

/** Drops the live pointer and bumps the epoch so a running warm cannot swap in; returns {live gen, shadow gen}. */
export const INVALIDATE = `
local live = redis.call('HGET', KEYS[1], 'gen') or ''
local shadow = redis.call('HGET', KEYS[1], 'shadowGen') or ''
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HDEL', KEYS[1], 'gen', 'shadowGen', 'lastWarmed', 'rows', 'entries', 'indexes', 'bytes', 'measures', 'practices', 'providers', 'frequencies', 'measureList', 'sourceRows', 'jobId', 'dropped')
redis.call('DEL', KEYS[2])
return { live, shadow }
`;

/**
 * A consistent read: the live generation and its entries in one atomic step, so a refresh can never
 * show a reader a miss, a half-written generation or a mix of two.
 * ARGV: entry prefix base, index prefix base, mode ('key' | 'sets'), max entries, suffix filter, then
 * the entry suffix (mode key) or the index-set suffixes to intersect (mode sets).
 * Returns {} when cold, {gen, 'too_broad', count, exact} past the cap (exact '0': count is an upper bound),
 * else {gen, suffix, value, suffix, value, …}.
 * A single set is sized with SCARD before it is read, so a broad query never loads a huge set into Lua;
 * with a suffix filter (frequency only, over the master set) the filter cannot be cheaper than reading
 * the set, so the set's size is the bound. Values are read in MGETs of at most 1,000 keys (Lua's unpack
 * limit is ~8,000).
 */
export const QUERY = `
local gen = redis.call('HGET', KEYS[1], 'gen')
if not gen then return {} end
local entryPrefix = ARGV[1] .. gen .. ':'
local indexPrefix = ARGV[2] .. gen .. ':'
local mode = ARGV[3]
-- A trailing '!' means the caller already checked the regions dropped by selective invalidation.
if string.sub(mode, -1) == '!' then
  mode = string.sub(mode, 1, -2)
else
  local dropped = redis.call('HGET', KEYS[1], 'dropped')
  if dropped then return { gen, 'dropped', dropped } end
end
local out = { gen }
if mode == 'key' then
  local value = redis.call('GET', entryPrefix .. ARGV[6])
  if value then out[2] = ARGV[6]; out[3] = value end
  return out
end
local max = tonumber(ARGV[4])
local filter = ARGV[5]
local sets = {}
for i = 6, #ARGV do sets[#sets + 1] = indexPrefix .. ARGV[i] end
local members
if #sets == 1 then
  local size = redis.call('SCARD', sets[1])
  if size > max then return { gen, 'too_broad', size, filter == '' and '1' or '0' } end
  members = redis.call('SMEMBERS', sets[1])
else
  members = redis.call('SINTER', unpack(sets))
end
if filter ~= '' then
  local kept = {}
  for _, m in ipairs(members) do
    if string.sub(m, -#filter) == filter then kept[#kept + 1] = m end
  end
  members = kept
end
if #members > max then return { gen, 'too_broad', #members, '1' } end
for first = 1, #members, 1000 do
  local last = math.min(first + 999, #members)
  local keys = {}
  for i = first, last do keys[#keys + 1] = entryPrefix .. members[i] end
  local values = redis.call('MGET', unpack(keys))
  for i = first, last do
    local value = values[i - first + 1]
    if value then out[#out + 1] = members[i]; out[#out + 1] = value end
  end
end
return out
`;

/**
 * Records a region (a filter) of the live generation as dropped by selective invalidation, so queries that
 * overlap it are answered by the database until the next warm, and bumps the epoch so a warm that started
 * before cannot swap the dropped data back in. Returns the live generation ('' when cold).
 */
export const MARK_DROPPED = `
local gen = redis.call('HGET', KEYS[1], 'gen')
if not gen then return '' end
local list = redis.call('HGET', KEYS[1], 'dropped')
local filters = {}
if list then filters = cjson.decode(list) end
table.insert(filters, cjson.decode(ARGV[1]))
redis.call('HSET', KEYS[1], 'dropped', cjson.encode(filters))
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
return gen
`;

/** Removes some entries of the live generation and their index memberships atomically (selective invalidation). */
export const DROP_ENTRIES = `
local gen = redis.call('HGET', KEYS[1], 'gen')
if not gen then return { 0, 0, 0 } end
local entryPrefix = ARGV[1] .. gen .. ':'
local indexPrefix = ARGV[2] .. gen .. ':'
local removed, bytes, emptied = 0, 0, 0
local i = 3
while i <= #ARGV do
  local suffix = ARGV[i]
  local count = tonumber(ARGV[i + 1])
  local key = entryPrefix .. suffix
  local len = redis.call('STRLEN', key)
  if redis.call('UNLINK', key) == 1 then
    removed = removed + 1
    bytes = bytes + len + #key
    for j = 1, count do
      local set = indexPrefix .. ARGV[i + 1 + j]
      if redis.call('SREM', set, suffix) == 1 and redis.call('EXISTS', set) == 0 then emptied = emptied + 1 end
    end
  end
  i = i + 2 + count
end
-- Only non-zero decrements: Lua's -0 reaches Redis as '-0', which HINCRBY rejects as not an integer.
if removed > 0 then redis.call('HINCRBY', KEYS[1], 'entries', -removed) end
if bytes > 0 then redis.call('HINCRBY', KEYS[1], 'bytes', -bytes) end
if emptied > 0 then redis.call('HINCRBY', KEYS[1], 'indexes', -emptied) end
return { removed, bytes, emptied }
`;
