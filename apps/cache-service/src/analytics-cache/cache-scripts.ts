import { CacheKeys } from '../redis/redis-keys.js';
import {
  ALL_PREVIOUS_FIELDS,
  GENERATION_FIGURES,
  luaList,
  PREVIOUS_PREFIX,
  PreviousFields,
} from './generation-fields.js';

/**
 * Lua scripts of the analytics cache. Each declares the datasource's meta key; the other keys it touches
 * carry the same `{ds:N}` hash tag, which keeps them legal on Redis Cluster (TOOLCHAIN.md).
 * LIVE is the meta field of the live generation (its name carries the layout, see CacheKeys.liveField); LEGACY is
 * layout 1's, removed whenever the live pointer is set or dropped.
 */
const LIVE = `'${CacheKeys.liveField}'`;
const LEGACY = `'${CacheKeys.legacyLiveField}'`;
const RANGES = `'${CacheKeys.indexSuffixes.ranges()}'`;
const DIRECTORY = `'${CacheKeys.indexSuffixes.directory()}'`;
const PREVIOUS_GEN = `'${PreviousFields.generation}'`;
const PREVIOUS_RETIRED = `'${PreviousFields.retiredAt}'`;
const PREVIOUS_EXPIRES = `'${PreviousFields.expiresAt}'`;

/** Allocates the shadow generation and reports the live generation and invalidation epoch it started from. */
export const BEGIN_WARM = `
local g = redis.call('HINCRBY', KEYS[1], 'nextGen', 1)
redis.call('HSET', KEYS[1], 'shadowGen', g)
return { g, redis.call('HGET', KEYS[1], ${LIVE}) or '', redis.call('HGET', KEYS[1], 'epoch') or '0' }
`;

/**
 * The swap: one compare-and-set on the meta hash, O(1) whatever the number of keys. Refuses when another
 * generation went live, the datasource was invalidated since the warm began, or the warming lock no longer
 * holds this execution's token (another execution of the same job took over: only one may swap).
 * With a retention, the generation it replaces becomes the retained previous one: its figures move under `prev:`,
 * with when it was retired and until when it is kept; the previous one before it is superseded (its fields go; the
 * caller deletes it). A rollback is the same swap with the retained generation as the new one, under a lock token of
 * its own: refused ('previous_gone') unless that generation is still the retained one.
 * KEYS: meta, query stats, warming lock. ARGV: expected live gen, expected epoch, new gen, lock token, retain until
 * (ms since the epoch; '' retains nothing), retired at (ISO time), rollback ('1' or ''), then field/value pairs.
 */
export const SWAP = `
if redis.call('GET', KEYS[3]) ~= ARGV[4] then return 'lock_lost' end
local live = redis.call('HGET', KEYS[1], ${LIVE}) or ''
if live ~= ARGV[1] then return 'generation_changed' end
if (redis.call('HGET', KEYS[1], 'epoch') or '0') ~= ARGV[2] then return 'invalidated' end
if ARGV[7] == '1' and redis.call('HGET', KEYS[1], ${PREVIOUS_GEN}) ~= ARGV[3] then return 'previous_gone' end
local figures = ${luaList(GENERATION_FIGURES)}
local retired = {}
if ARGV[5] ~= '' and live ~= '' then
  local values = redis.call('HMGET', KEYS[1], unpack(figures))
  retired = { ${PREVIOUS_GEN}, live, ${PREVIOUS_RETIRED}, ARGV[6], ${PREVIOUS_EXPIRES}, ARGV[5] }
  for i, field in ipairs(figures) do
    if values[i] then
      retired[#retired + 1] = '${PREVIOUS_PREFIX}' .. field
      retired[#retired + 1] = values[i]
    end
  end
end
redis.call('HDEL', KEYS[1], ${LEGACY}, unpack(${luaList(ALL_PREVIOUS_FIELDS)}))
redis.call('HDEL', KEYS[1], unpack(figures))
redis.call('HSET', KEYS[1], ${LIVE}, ARGV[3], unpack(ARGV, 8))
if #retired > 0 then redis.call('HSET', KEYS[1], unpack(retired)) end
if redis.call('HGET', KEYS[1], 'shadowGen') == ARGV[3] then redis.call('HDEL', KEYS[1], 'shadowGen') end
redis.call('DEL', KEYS[2])
return 'ok'
`;

/**
 * Drops the live pointer and the retained previous generation, and bumps the epoch so a running warm cannot swap
 * in; returns {live gen, shadow gen, previous gen}.
 */
export const INVALIDATE = `
local live = redis.call('HGET', KEYS[1], ${LIVE}) or ''
local shadow = redis.call('HGET', KEYS[1], 'shadowGen') or ''
local previous = redis.call('HGET', KEYS[1], ${PREVIOUS_GEN}) or ''
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HDEL', KEYS[1], ${LIVE}, ${LEGACY}, 'shadowGen', 'lastWarmed', 'rows', 'entries', 'indexes', 'bytes', 'measures', 'practices', 'providers', 'frequencies', 'measureList', 'sourceRows', 'jobId', 'dropped')
redis.call('HDEL', KEYS[1], unpack(${luaList(ALL_PREVIOUS_FIELDS)}))
redis.call('DEL', KEYS[2])
return { live, shadow, previous }
`;

/**
 * A consistent read: the live generation and its entries in one atomic step, so a refresh can never
 * show a reader a miss, a half-written generation or a mix of two.
 * ARGV: entry prefix base, index prefix base, regions checked ('1': the caller already checked the regions dropped by
 * selective invalidation), max entries, directory field ('' none), then the index-set suffixes to intersect.
 * The matching ids: for each set the directory field lists, its intersection with the given sets (the sets of one
 * field are disjoint: one per measure-frequency pair); without a directory field, the intersection of the given sets;
 * without either, every entry (the generation's ranges).
 * Returns {} when cold, {gen, 'dropped', regions} when regions were dropped and not checked, {gen, 'too_broad', count}
 * past the cap, else {gen, value, value, …} in id order (the warming order). Single sets are sized with SCARD before
 * any is read, so a broad query never loads a huge set into Lua. Values are read in MGETs of at most 1,000 keys (Lua's
 * unpack limit is ~8,000); an id whose entry was dropped has no value and is skipped.
 */
export const QUERY = `
local gen = redis.call('HGET', KEYS[1], ${LIVE})
if not gen then return {} end
if ARGV[3] ~= '1' then
  local dropped = redis.call('HGET', KEYS[1], 'dropped')
  if dropped then return { gen, 'dropped', dropped } end
end
local entryPrefix = ARGV[1] .. gen .. ':'
local indexPrefix = ARGV[2] .. gen .. ':'
local max = tonumber(ARGV[4])
local sets = {}
for i = 6, #ARGV do sets[#sets + 1] = indexPrefix .. ARGV[i] end
local groups = {}
if ARGV[5] ~= '' then
  local listed = redis.call('HGET', indexPrefix .. ${DIRECTORY}, ARGV[5])
  if listed then
    for _, suffix in ipairs(cjson.decode(listed)) do
      local group = { indexPrefix .. suffix }
      for _, set in ipairs(sets) do group[#group + 1] = set end
      groups[#groups + 1] = group
    end
  end
elseif #sets > 0 then
  groups[1] = sets
end
local ids = {}
if ARGV[5] == '' and #sets == 0 then
  local count = tonumber(redis.call('HGET', KEYS[1], 'entries') or '0')
  if count > max then return { gen, 'too_broad', count } end
  local ranges = redis.call('HGETALL', indexPrefix .. ${RANGES})
  for i = 1, #ranges, 2 do
    local first = tonumber(ranges[i])
    for id = first, first + tonumber(ranges[i + 1]) - 1 do ids[#ids + 1] = id end
  end
else
  local single = true
  for _, group in ipairs(groups) do if #group > 1 then single = false end end
  if single then
    local size = 0
    for _, group in ipairs(groups) do size = size + redis.call('SCARD', group[1]) end
    if size > max then return { gen, 'too_broad', size } end
  end
  for _, group in ipairs(groups) do
    local members = #group == 1 and redis.call('SMEMBERS', group[1]) or redis.call('SINTER', unpack(group))
    for _, id in ipairs(members) do ids[#ids + 1] = tonumber(id) end
  end
  if #ids > max then return { gen, 'too_broad', #ids } end
end
table.sort(ids)
local out = { gen }
for first = 1, #ids, 1000 do
  local last = math.min(first + 999, #ids)
  local keys = {}
  for i = first, last do keys[#keys + 1] = entryPrefix .. ids[i] end
  local values = redis.call('MGET', unpack(keys))
  for i = 1, #values do
    if values[i] then out[#out + 1] = values[i] end
  end
end
return out
`;

/**
 * Records a region (a filter) of the live generation as dropped by selective invalidation, so queries that
 * overlap it are answered by the database until the next warm, and bumps the epoch so a warm that started
 * before cannot swap the dropped data back in. It releases the retained previous generation in the same step (as
 * RELEASE does): that generation still holds the region, and a rollback would serve it again. In one script, so no
 * rollback can come between the mark and the release. Returns {live gen, released previous gen} ('' for none; live ''
 * when cold, and then nothing is changed).
 */
export const MARK_DROPPED = `
local gen = redis.call('HGET', KEYS[1], ${LIVE})
if not gen then return { '', '' } end
local list = redis.call('HGET', KEYS[1], 'dropped')
local filters = {}
if list then filters = cjson.decode(list) end
table.insert(filters, cjson.decode(ARGV[1]))
redis.call('HSET', KEYS[1], 'dropped', cjson.encode(filters))
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
local previous = redis.call('HGET', KEYS[1], ${PREVIOUS_GEN}) or ''
if previous ~= '' then redis.call('HDEL', KEYS[1], unpack(${luaList(ALL_PREVIOUS_FIELDS)})) end
return { gen, previous }
`;

/**
 * Removes some entries of the live generation and their index memberships atomically (selective invalidation).
 * ARGV: entry prefix base, index prefix base, then per entry: its id, the number of its index sets, their suffixes.
 */
export const DROP_ENTRIES = `
local gen = redis.call('HGET', KEYS[1], ${LIVE})
if not gen then return { 0, 0, 0 } end
local entryPrefix = ARGV[1] .. gen .. ':'
local indexPrefix = ARGV[2] .. gen .. ':'
local removed, bytes, emptied = 0, 0, 0
local i = 3
while i <= #ARGV do
  local id = ARGV[i]
  local count = tonumber(ARGV[i + 1])
  local key = entryPrefix .. id
  local len = redis.call('STRLEN', key)
  if redis.call('UNLINK', key) == 1 then
    removed = removed + 1
    bytes = bytes + len + #key
    for j = 1, count do
      local set = indexPrefix .. ARGV[i + 1 + j]
      if redis.call('SREM', set, id) == 1 and redis.call('EXISTS', set) == 0 then emptied = emptied + 1 end
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
