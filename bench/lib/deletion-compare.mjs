// The cache-engine bench's deletion comparison: the same generation (written by the reference pipeline in the
// service's layout, under a datasource id the service never uses) deleted twice in one run — once the way the
// service deleted until issue 14 (fixed 500-key batches, lib/fixed-batch-deletion.mjs), once by the service's own
// CacheRepository.deleteGeneration (batches sized by the bytes they free, paced) — each after an idle baseline
// taken just before it, so the ratios compare like with like on a machine whose load moves.
// Per deletion: the longest Redis command by name (SLOWLOG at a 0 µs threshold), PING max vs its idle baseline,
// and the longest O(1) command SLOWLOG saw (PING, STRLEN): what such a command takes is the machine's scheduling
// noise (Redis descheduled mid-command), which every other command's figure includes too.
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteGenerationFixedBatches } from './fixed-batch-deletion.mjs';
import { referenceWarm } from './reference-pipeline.mjs';
import { commandFigures, slowlogStart, slowlogStop } from './server-figures.mjs';

const BENCH_DATASOURCE = 999_999;
// eval / evalsha: the service sizes and UNLINKs a batch of entries in one script (generation-deletion.ts, UNLINK_SIZED).
const DELETION_COMMANDS = new Set([
  'sscan',
  'hscan',
  'hdel',
  'smembers',
  'strlen',
  'unlink',
  'srem',
  'scard',
  'eval',
  'evalsha',
]);
/** Commands whose Redis time does not depend on any size: what they take above a few µs is the machine, not Redis. */
const CONSTANT_TIME = new Set(['ping', 'strlen']);

export async function compareDeletions({
  redis,
  writer,
  probe,
  databaseUrl,
  table,
  CacheKeys,
  codec,
  cache,
  idleMs,
  expectedEntries,
  log,
}) {
  const variants = [
    {
      name: 'fixed',
      label: 'fixed 500-key batches (before)',
      remove: (g) => deleteGenerationFixedBatches(writer, CacheKeys, BENCH_DATASOURCE, g),
    },
    {
      name: 'paced',
      label: 'paced, sized by bytes (ours)',
      remove: (g) => cache.deleteGeneration(BENCH_DATASOURCE, g),
    },
  ];
  const out = {};
  for (const [i, variant] of variants.entries()) {
    const generation = i + 1;
    const entryPrefix = CacheKeys.entryPrefix(BENCH_DATASOURCE, generation);
    const indexPrefix = CacheKeys.indexPrefix(BENCH_DATASOURCE, generation);
    const written = await referenceWarm(databaseUrl, writer, {
      table,
      keys: CacheKeys,
      codec,
      entryPrefix,
      indexPrefix,
    });
    if (written.entries !== expectedEntries)
      throw new Error(`the generation to delete has ${written.entries} entries, expected ${expectedEntries}`);
    await sleep(1_000); // Redis's own rehashing after the writes settles before the baseline
    await probe.phase(`idle-${variant.name}`);
    await sleep(idleMs);
    const idle = await probe.collect(`idle-${variant.name}`);
    await probe.phase(`delete-${variant.name}`);
    await slowlogStart(redis);
    const started = performance.now();
    const counts = await variant.remove(generation);
    const seconds = (performance.now() - started) / 1000;
    const logged = await slowlogStop(redis);
    await sleep(50);
    const ping = await probe.collect(`delete-${variant.name}`);
    if (counts.keysDeleted !== expectedEntries)
      throw new Error(`${variant.label} deleted ${counts.keysDeleted} of ${expectedEntries} entries`);
    const bookkeeping = ['ranges', 'registry', 'directory'].map((key) => indexPrefix + CacheKeys.indexSuffixes[key]());
    if ((await redis.exists(...bookkeeping)) !== 0)
      throw new Error(`${variant.label} left the generation's ranges, registry or directory`);
    const byCommand = commandFigures(logged, (e) => DELETION_COMMANDS.has(e.command));
    const [command, longest] = Object.entries(byCommand).sort(([, a], [, b]) => b.maxMs - a.maxMs)[0] ?? [
      'none',
      { maxMs: 0, p99Ms: 0, count: 0 },
    ];
    const constant = Object.entries(commandFigures(logged, (e) => CONSTANT_TIME.has(e.command))).sort(
      ([, a], [, b]) => b.maxMs - a.maxMs,
    )[0];
    const noise = constant
      ? { command: constant[0], ...constant[1] }
      : { command: 'none', maxMs: 0, p99Ms: 0, count: 0 };
    out[variant.name] = {
      label: variant.label,
      seconds,
      counts,
      idle,
      ping,
      pingIdleRatio: idle.max > 0 ? ping.max / idle.max : NaN,
      longest: { command, ...longest },
      byCommand,
      noise,
    };
    log(
      `deletion, ${variant.label}: ${seconds.toFixed(2)} s; longest ${command} ${longest.maxMs.toFixed(2)} ms (p99 ${longest.p99Ms.toFixed(2)} ms); PING max ${ping.max.toFixed(2)} ms vs idle ${idle.max.toFixed(2)} ms; longest O(1) command ${noise.command} ${noise.maxMs.toFixed(3)} ms`,
    );
  }
  return out;
}

/** "unlink 0.41 / 0.20 ms, srem …": max / p99 per deletion command, longest first. */
export function describeCommands(byCommand) {
  return Object.entries(byCommand)
    .sort(([, a], [, b]) => b.maxMs - a.maxMs)
    .map(
      ([name, f]) =>
        `${name} ×${f.count.toLocaleString('en-US')} max ${f.maxMs.toFixed(2)} / p99 ${f.p99Ms.toFixed(2)} ms`,
    )
    .join(', ');
}

/** The table's lines for the side-by-side deletion (lib/deletion-compare.mjs). */
export function deletionRows({ fixed, paced }, { targets, verdict }) {
  const ratio = (a, b) => (b > 0 ? a / b : NaN);
  const of = (d) => `${d.longest.command}; ${describeCommands(d.byCommand)}`;
  return [
    {
      metric: 'deletion, fixed 500-key batches (before): duration',
      value: fixed.seconds,
      unit: 's',
      note: `${fixed.counts.keysDeleted.toLocaleString('en-US')} entries + ${fixed.counts.indexesDeleted.toLocaleString('en-US')} index sets, same generation for both`,
    },
    { metric: 'deletion, paced by bytes (ours): duration', value: paced.seconds, unit: 's' },
    {
      metric: 'longest Redis command, fixed batches (SLOWLOG)',
      value: fixed.longest.maxMs,
      unit: 'ms',
      note: of(fixed),
    },
    {
      metric: 'longest Redis command, paced by bytes (SLOWLOG)',
      value: paced.longest.maxMs,
      unit: 'ms',
      note: `target ≤ ${targets.deleteCommandMs} ms — ${verdict(paced.longest.maxMs <= targets.deleteCommandMs)}; ${of(paced)}`,
    },
    {
      metric: 'longest deletion command: fixed / paced',
      value: ratio(fixed.longest.maxMs, paced.longest.maxMs),
      unit: '×',
      note: `p99 of the longest kind: ${fixed.longest.p99Ms.toFixed(2)} vs ${paced.longest.p99Ms.toFixed(2)} ms`,
    },
    {
      metric: 'noise floor: longest O(1) command in SLOWLOG (fixed / paced run)',
      value: `${fixed.noise.maxMs.toFixed(3)} / ${paced.noise.maxMs.toFixed(3)}`,
      unit: 'ms',
      note: `${fixed.noise.command} / ${paced.noise.command}: PING and STRLEN do the same work whatever the data; time above a few µs is Redis descheduled by the machine, in any command`,
    },
    {
      metric: 'PING max while deleting, fixed batches',
      value: fixed.ping.max,
      unit: 'ms',
      note: `${fixed.pingIdleRatio.toFixed(1)}× its idle baseline (${fixed.idle.max.toFixed(2)} ms, taken just before); p99 ${fixed.ping.p99.toFixed(2)} ms`,
    },
    {
      metric: 'PING max while deleting, paced by bytes',
      value: paced.ping.max,
      unit: 'ms',
      note: `${paced.pingIdleRatio.toFixed(1)}× its idle baseline (${paced.idle.max.toFixed(2)} ms); target ≤ ${targets.deletePingIdleRatio}× — ${verdict(paced.pingIdleRatio <= targets.deletePingIdleRatio)}; p99 ${paced.ping.p99.toFixed(2)} ms`,
    },
  ];
}
