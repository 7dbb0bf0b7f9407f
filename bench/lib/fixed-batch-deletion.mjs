// The bench's "before" for deletion: how the service deleted a generation until issue 14 — SSCAN COUNT 500 of
// the master set, then one pipeline of STRLEN per key + UNLINK of the 500 keys + SREM of their members, no pause;
// the index sets at the end in UNLINKs of 500 keys. Kept here, verbatim in its Redis traffic, so that the paced
// deletion is measured against it side by side in one run. Key names come from the service's own CacheKeys.
const FIXED_BATCH = 500;

export async function deleteGenerationFixedBatches(redis, CacheKeys, datasourceId, generation) {
  const entryPrefix = CacheKeys.entryPrefix(datasourceId, generation);
  const indexPrefix = CacheKeys.indexPrefix(datasourceId, generation);
  const masterKey = indexPrefix + CacheKeys.indexSuffixes.master();
  const indexSets = new Set();
  let keysDeleted = 0;
  let bytesFreed = 0;
  for (let pass = 0; pass < 3; pass++) {
    let cursor = '0';
    do {
      const [next, members] = await redis.sscan(masterKey, cursor, 'COUNT', FIXED_BATCH);
      cursor = next;
      if (members.length === 0) continue;
      const keys = members.map((member) => entryPrefix + member);
      for (const member of members) {
        const coordinates = CacheKeys.parseEntrySuffix(member);
        if (coordinates) for (const set of CacheKeys.indexSuffixesOf(coordinates)) indexSets.add(set);
      }
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.strlen(key);
      pipeline.unlink(...keys);
      pipeline.srem(masterKey, ...members);
      const results = (await pipeline.exec()) ?? [];
      for (let i = 0; i < keys.length; i++) {
        const length = Number(results[i]?.[1] ?? 0);
        if (length > 0) bytesFreed += length + keys[i].length;
      }
      keysDeleted += Number(results[keys.length]?.[1] ?? 0);
    } while (cursor !== '0');
    if ((await redis.scard(masterKey)) === 0) break;
  }
  indexSets.delete(CacheKeys.indexSuffixes.master());
  let indexesDeleted = 0;
  const setKeys = [...indexSets].map((set) => indexPrefix + set);
  for (let i = 0; i < setKeys.length; i += FIXED_BATCH)
    indexesDeleted += await redis.unlink(...setKeys.slice(i, i + FIXED_BATCH));
  if (keysDeleted > 0 || (await redis.unlink(masterKey)) > 0) indexesDeleted += 1;
  return { keysDeleted, indexesDeleted, bytesFreed };
}
