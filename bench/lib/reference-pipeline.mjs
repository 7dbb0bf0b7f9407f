// The cache-engine bench's reference warm: COPY in key order → group consecutive rows → MSET + one
// multi-member SADD per index set per 200 entries, 4 pipelines in flight. Key names and index sets come
// from the service's own key builders (CacheKeys, passed in), so a generation written here is one the
// service can read — and stops being one, loudly, if the service's layout changes.
import pg from 'pg';
import copyStreams from 'pg-copy-streams';

export const BATCH_ENTRIES = 200;
const PIPELINES_IN_FLIGHT = 4;

/**
 * Reads `table` (columns measure, practice_id, provider_id, frequency, period_date, value) and writes one
 * entry per (measure, practice, provider, frequency) under `entryPrefix`, its index sets under `indexPrefix`.
 * `collect`: also return every key written (for the seed-swap and naive-deletion figures).
 */
export async function referenceWarm(databaseUrl, redis, { table, keys, entryPrefix, indexPrefix, collect = false }) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-reference-warm' });
  await client.connect();
  const started = performance.now();
  const inFlight = new Set();
  const names = collect ? { entries: [], sets: new Set() } : null;
  let rows = 0;
  let entries = 0;
  let mset = [];
  let sets = new Map();
  let inBatch = 0;
  const ready = [];
  let failure = null;

  let cur0 = null;
  let cur1 = '';
  let cur2 = '';
  let cur3 = '';
  let parts = [];
  const endEntry = () => {
    const coordinates = { measure: cur0, practice: cur1, provider: cur2, frequency: cur3 };
    const suffix = keys.entrySuffix(coordinates);
    mset.push(entryPrefix + suffix, `[${parts.join(',')}]`);
    for (const set of keys.indexSuffixesOf(coordinates)) {
      const list = sets.get(set);
      if (list) list.push(suffix);
      else sets.set(set, [suffix]);
    }
    if (names) names.entries.push(entryPrefix + suffix);
    entries += 1;
    parts = [];
    if (++inBatch >= BATCH_ENTRIES) seal();
  };
  const seal = () => {
    if (inBatch === 0) return;
    ready.push({ mset, sets });
    mset = [];
    sets = new Map();
    inBatch = 0;
  };
  const send = async ({ mset: msetArgs, sets: setMembers }) => {
    const pipeline = redis.pipeline();
    pipeline.mset(msetArgs);
    for (const [set, members] of setMembers) {
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
    return { rows, entries, seconds: (performance.now() - started) / 1000, names };
  } finally {
    await client.end().catch(() => undefined);
  }
}
