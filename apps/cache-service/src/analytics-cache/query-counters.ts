import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CacheRepository } from './cache.repository.js';

const FLUSH_EVERY_MS = 1_000;

interface Tally {
  hits: number;
  misses: number;
  latencyMicros: number;
}

const hourOf = (date: Date): string => date.toISOString().slice(0, 13).replace(/[-T]/g, '');

/**
 * Hits, misses and latency per datasource, added up in process and flushed to Redis once a second,
 * so counting costs the query path a Map update and stats agree across service processes.
 */
@Injectable()
export class QueryCounters implements OnModuleInit, OnApplicationShutdown {
  private tallies = new Map<string, Tally>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly cache: CacheRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  record(datasourceId: number, hit: boolean, latencyMicros: number): void {
    const key = `${datasourceId}|${hourOf(new Date())}`;
    const tally = this.tallies.get(key) ?? { hits: 0, misses: 0, latencyMicros: 0 };
    if (hit) tally.hits += 1;
    else tally.misses += 1;
    tally.latencyMicros += Math.round(latencyMicros);
    this.tallies.set(key, tally);
  }

  async flush(): Promise<void> {
    if (this.tallies.size === 0) return;
    const pending = this.tallies;
    this.tallies = new Map();
    await this.cache.addQueryCounters(
      [...pending].map(([key, tally]) => {
        const [datasourceId, hour] = key.split('|');
        return { datasourceId: Number(datasourceId), hour, ...tally };
      }),
    );
  }
}
