// The bench's "before" for deletion: how the service deleted a generation until issue 14 — fixed batches of 500
// entries (one pipeline of STRLEN per key + UNLINK of the 500 keys), no pause; the index sets at the end in UNLINKs of
// 500 keys. Its Redis traffic is kept as it was, walking today's layout (the ranges hash instead of layout 1's master
// set), so that the paced deletion is measured against it side by side in one run. Key names come from the service's
// own CacheKeys.
const FIXED_BATCH = 500;

export async function deleteGenerationFixedBatches(redis, CacheKeys, datasourceId, generation) {
  const indexPrefix = CacheKeys.indexPrefix(datasourceId, generation);
  const rangesKey = indexPrefix + CacheKeys.indexSuffixes.ranges();
  const registryKey = indexPrefix + CacheKeys.indexSuffixes.registry();
  let keysDeleted = 0;
  let bytesFreed = 0;
  const ids = [];
  let cursor = '0';
  do {
    const [next, fields] = await redis.hscan(rangesKey, cursor, 'COUNT', FIXED_BATCH);
    cursor = next;
    for (let i = 0; i < fields.length; i += 2)
      for (let j = 0; j < Number(fields[i + 1]); j++) ids.push(Number(fields[i]) + j);
  } while (cursor !== '0');
  for (let i = 0; i < ids.length; i += FIXED_BATCH) {
    const keys = ids.slice(i, i + FIXED_BATCH).map((id) => CacheKeys.entryKey(datasourceId, generation, id));
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.strlen(key);
    pipeline.unlink(...keys);
    const results = (await pipeline.exec()) ?? [];
    for (let k = 0; k < keys.length; k++) {
      const length = Number(results[k]?.[1] ?? 0);
      if (length > 0) bytesFreed += length + keys[k].length;
    }
    keysDeleted += Number(results[keys.length]?.[1] ?? 0);
  }
  const setKeys = (await redis.smembers(registryKey)).map((set) => indexPrefix + set);
  let indexesDeleted = 0;
  for (let i = 0; i < setKeys.length; i += FIXED_BATCH)
    indexesDeleted += await redis.unlink(...setKeys.slice(i, i + FIXED_BATCH));
  indexesDeleted += await redis.unlink(rangesKey, registryKey, indexPrefix + CacheKeys.indexSuffixes.directory());
  return { keysDeleted, indexesDeleted, bytesFreed };
}
