import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { hourOf, minuteOf } from '../redis/redis-keys.js';
import { UsageCounters } from './usage-counters.js';

const FLUSH_EVERY_MS = 1_000;

interface Tally {
  hits: number;
  misses: number;
  latencyMicros: number;
}

export { hourOf, minuteOf } from '../redis/redis-keys.js';

/**
 * Hits, misses and latency per datasource, added up in process and flushed to Redis once a second,
 * so counting costs the query path a Map update and stats agree across service processes.
 */
@Injectable()
export class QueryCounters implements OnModuleInit, OnApplicationShutdown {
  private tallies = new Map<string, Tally>();
  private timer: NodeJS.Timeout | null = null;
  private minute = { from: -Infinity, key: '' };

  constructor(private readonly usageCounters: UsageCounters) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  record(datasourceId: number, hit: boolean, latencyMicros: number): void {
    const key = `${datasourceId}|${this.minuteKey(Date.now())}`;
    let tally = this.tallies.get(key);
    if (!tally) {
      tally = { hits: 0, misses: 0, latencyMicros: 0 };
      this.tallies.set(key, tally);
    }
    if (hit) tally.hits += 1;
    else tally.misses += 1;
    tally.latencyMicros += Math.round(latencyMicros);
  }

  /** `hour|minute` of the counters `now` (ms) falls in, formatted once per minute rather than once per query. */
  private minuteKey(now: number): string {
    if (now < this.minute.from || now >= this.minute.from + 60_000) {
      const date = new Date(now);
      this.minute = { from: now - (now % 60_000), key: `${hourOf(date)}|${minuteOf(date)}` };
    }
    return this.minute.key;
  }

  /**
   * One transaction per datasource (its keys share one Cluster slot). The tallies of a datasource whose
   * write fails are merged back and go out with the next flush; the flush then rejects.
   */
  async flush(): Promise<void> {
    if (this.tallies.size === 0) return;
    const pending = this.tallies;
    this.tallies = new Map();
    const byDatasource = new Map<number, Array<{ key: string; hour: string; minute: string } & Tally>>();
    for (const [key, tally] of pending) {
      const [datasourceId, hour, minute] = key.split('|');
      const list = byDatasource.get(Number(datasourceId)) ?? [];
      list.push({ key, hour, minute, ...tally });
      byDatasource.set(Number(datasourceId), list);
    }
    const outcomes = await Promise.allSettled(
      [...byDatasource].map(([datasourceId, counters]) =>
        this.usageCounters.addQueryCounters(
          datasourceId,
          counters.map(({ hour, minute, hits, misses, latencyMicros }) => ({
            hour,
            minute,
            hits,
            misses,
            latencyMicros,
          })),
        ),
      ),
    );
    const groups = [...byDatasource.values()];
    let failure: unknown;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      failure ??= outcome.reason;
      for (const { key, hits, misses, latencyMicros } of groups[i]) {
        const tally = this.tallies.get(key) ?? { hits: 0, misses: 0, latencyMicros: 0 };
        tally.hits += hits;
        tally.misses += misses;
        tally.latencyMicros += latencyMicros;
        this.tallies.set(key, tally);
      }
    });
    if (failure !== undefined) throw failure;
  }
}
