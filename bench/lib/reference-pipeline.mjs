// The cache-engine bench's reference warm: COPY in key order → group consecutive rows → MSET + one
// multi-member SADD per index set per 200 entries, 4 pipelines in flight. Key names, index sets and stored values
// come from the service's own code (CacheKeys, encodeStoredEntry, passed in as `keys` and `codec`), so a generation
// written here in the service's layout is one the service can read — and stops being one, loudly, if the service's
// layout changes. Other layouts (lib/memory-layouts.mjs) write the same entries differently, for the memory figures.
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { serviceLayout } from './memory-layouts.mjs';

export const BATCH_ENTRIES = 200;
const PIPELINES_IN_FLIGHT = 4;

/**
 * Reads `table` (columns measure, practice_id, provider_id, frequency, period_date, value) and writes one
 * entry per (measure, practice, provider, frequency) under `entryPrefix`, its index sets under `indexPrefix`, in
 * `layout` (default: the service's). `collect`: also return every key written — entries, index sets, bookkeeping
 * hashes — (for the seed-swap and naive-deletion figures).
 */
export async function referenceWarm(
  databaseUrl,
  redis,
  { table, keys, codec, entryPrefix, indexPrefix, layout = serviceLayout(keys, codec), collect = false },
) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-reference-warm' });
  await client.connect();
  const started = performance.now();
  const inFlight = new Set();
  const names = collect ? { entries: [], sets: new Set(), hashes: [] } : null;
  let rows = 0;
  let entries = 0;
  let batch = [];
  const ready = [];
  let failure = null;

  let cur0 = null;
  let cur1 = '';
  let cur2 = '';
  let cur3 = '';
  let parts = [];
  const endEntry = () => {
    const coordinates = { measure: cur0, practice: cur1, provider: cur2, frequency: cur3 };
    batch.push(layout.entry(entries, coordinates, `[${parts.join(',')}]`));
    entries += 1;
    parts = [];
    if (batch.length >= BATCH_ENTRIES) seal();
  };
  const seal = () => {
    if (batch.length === 0) return;
    ready.push(batch);
    batch = [];
  };
  const send = async (written) => {
    const pipeline = redis.pipeline();
    const mset = [];
    const sets = new Map();
    for (const entry of written) {
      mset.push(entryPrefix + entry.name, entry.value);
      if (names) names.entries.push(entryPrefix + entry.name);
      for (const set of entry.sets) {
        const list = sets.get(set);
        if (list) list.push(entry.member);
        else sets.set(set, [entry.member]);
      }
    }
    layout.beforeBatch?.(pipeline, indexPrefix, written, [...sets.keys()]);
    pipeline.mset(mset);
    for (const [set, members] of sets) {
      pipeline.sadd(indexPrefix + set, members);
      if (names) names.sets.add(indexPrefix + set);
    }
    const promise = pipeline.exec().then(
      (results) => {
        const failed = results?.find(([error]) => error);
        if (failed) failure ??= failed[0];
      },
      (error) => {
        failure ??= error;
      },
    );
    inFlight.add(promise);
    promise.then(() => inFlight.delete(promise));
    if (inFlight.size >= PIPELINES_IN_FLIGHT) await Promise.race(inFlight);
  };

  try {
    const sql = `SELECT measure::text, practice_id::text, provider_id::text, frequency::text, period_date::text, value::text
                 FROM ${table} ORDER BY measure, practice_id, provider_id, frequency, period_date`;
    const stream = client.query(copyStreams.to(`COPY (${sql}) TO STDOUT`));
    let rest = '';
    for await (const chunk of stream) {
      const text = rest + chunk.toString('utf8');
      let start = 0;
      let nl = text.indexOf('\n', start);
      while (nl !== -1) {
        const f = text.slice(start, nl).split('\t');
        if (f[0] !== cur0 || f[1] !== cur1 || f[2] !== cur2 || f[3] !== cur3) {
          if (parts.length > 0) endEntry();
          cur0 = f[0];
          cur1 = f[1];
          cur2 = f[2];
          cur3 = f[3];
        }
        parts.push(`["${f[4]}",${f[5]}]`);
        rows += 1;
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      rest = text.slice(start);
      while (ready.length > 0) await send(ready.shift());
      if (failure) throw failure;
    }
    if (parts.length > 0) endEntry();
    seal();
    while (ready.length > 0) await send(ready.shift());
    await Promise.all(inFlight);
    if (failure) throw failure;
    await layout.finish?.(redis, indexPrefix, names);
    return { rows, entries, seconds: (performance.now() - started) / 1000, names };
  } finally {
    await client.end().catch(() => undefined);
  }
}
