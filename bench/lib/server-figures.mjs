// Figures read from the servers themselves rather than timed by the bench: a process's RSS from /proc,
// Redis's memory, SLOWLOG and commandstats. Immune to the scheduling noise of a busy machine.
import fs from 'node:fs';

export function procStatusKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Samples the process's RSS every 100 ms until stopped; returns the peak in MB. */
export function rssSampler(pid) {
  let peakKb = procStatusKb(pid, 'VmRSS') ?? 0;
  let samples = 1;
  const timer = setInterval(() => {
    const kb = procStatusKb(pid, 'VmRSS');
    if (kb !== null) {
      peakKb = Math.max(peakKb, kb);
      samples += 1;
    }
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      const kb = procStatusKb(pid, 'VmRSS');
      if (kb !== null) peakKb = Math.max(peakKb, kb);
      return { peakMb: peakKb / 1024, samples };
    },
  };
}

export async function usedMemory(redis) {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0);
}

/** Waits (at most 10 s) until Redis has freed what UNLINK handed to its background thread, so used_memory is settled. */
export async function settledMemory(redis) {
  for (let waited = 0; waited < 10_000; waited += 100) {
    const info = await redis.info('memory');
    if (Number(/^lazyfree_pending_objects:(\d+)/m.exec(info)?.[1] ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return usedMemory(redis);
}

// SLOWLOG with a 0 µs threshold logs every command's execution time (EXEC is never logged: its total comes
// from INFO commandstats).
export async function slowlogStart(redis) {
  await redis.config('SET', 'slowlog-max-len', '200000');
  await redis.slowlog('RESET');
  await redis.config('SET', 'slowlog-log-slower-than', '0');
}

export async function slowlogStop(redis) {
  await redis.config('SET', 'slowlog-log-slower-than', '10000');
  const log = await redis.slowlog('GET', -1);
  await redis.slowlog('RESET');
  return log
    .map((e) => ({ us: Number(e[2]), command: String(e[3]?.[0] ?? '').toLowerCase(), args: e[3] ?? [] }))
    .filter((e) => e.command !== 'config' && e.command !== 'slowlog');
}

/** The longest of the logged commands that `match`, and how many matched. */
export function longest(entries, match = () => true) {
  let best = { us: 0, command: '' };
  let count = 0;
  for (const e of entries) {
    if (!match(e)) continue;
    count += 1;
    if (e.us > best.us) best = { us: e.us, command: e.command };
  }
  return { ms: best.us / 1000, command: best.command, commands: count };
}

export async function execStats(redis) {
  const m = /^cmdstat_exec:calls=(\d+),usec=(\d+)/m.exec(await redis.info('commandstats'));
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0) };
}

/** Per command name: how many ran, the longest and the 99th percentile of their Redis times (ms). */
export function commandFigures(entries, match = () => true) {
  const byName = new Map();
  for (const e of entries) {
    if (!match(e)) continue;
    const list = byName.get(e.command) ?? [];
    list.push(e.us);
    byName.set(e.command, list);
  }
  const figures = {};
  for (const [name, list] of byName) {
    list.sort((a, b) => a - b);
    figures[name] = {
      count: list.length,
      maxMs: list.at(-1) / 1000,
      p99Ms: list[Math.min(list.length - 1, Math.ceil(0.99 * list.length) - 1)] / 1000,
    };
  }
  return figures;
}

/** CPU time (user + system) a process has used so far, in ms; null when /proc cannot tell. */
export function procCpuMs(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
// USER_HZ: 100 on every Linux the bench runs on (getconf CLK_TCK).
const CLOCK_TICKS_PER_SECOND = 100;
