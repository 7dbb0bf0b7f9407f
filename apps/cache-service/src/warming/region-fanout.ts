import type { RegionWarmResult } from '@ccc/shared-types';
import type { EntryToWrite, LiveSummary } from '../analytics-cache/cache.repository.js';
import { REGION_RESULTS_FIELD, type Region, type RegionCaches } from '../analytics-cache/region-caches.js';
import { CacheKeys } from '../redis/redis-keys.js';

/** How long a region's own copy of the warming lock lives: only for its swap (the real lock is the primary's). */
const REGION_SWAP_LEASE_MS = 30_000;

interface RegionTarget {
  region: Region;
  shadow: number | null;
  live: number | null;
  epoch: string;
  failure: string | null;
  generation: number | null;
}

/**
 * The other regions of one warm (docs/architecture.md, "Multi-region caches"): every batch the source gives the
 * primary's shadow is written to each region's own shadow generation too (one read of the source), and each region
 * swaps its own generation with the same compare-and-set. A region that fails — refused connection, a command error,
 * a count that does not match — is marked failed and skipped for the rest of the warm: it never fails the warm, whose
 * outcome is the primary's. Nothing here throws.
 */
export class RegionFanout {
  private readonly targets: RegionTarget[];

  constructor(
    regions: Region[],
    private readonly datasourceId: number,
  ) {
    this.targets = regions.map((region) => ({
      region,
      shadow: null,
      live: null,
      epoch: '0',
      failure: null,
      generation: null,
    }));
  }

  /** The regions of `names` but `primary`, or null when there are none (a single-region warm). */
  static of(caches: RegionCaches, names: string[], datasourceId: number): RegionFanout | null {
    const others = names.filter((name) => name !== 'primary' && caches.names.includes(name));
    return others.length === 0
      ? null
      : new RegionFanout(
          others.map((name) => caches.region(name)),
          datasourceId,
        );
  }

  /** Allocates each region's shadow, after deleting one a failed earlier warm left (the primary's lock is held). */
  async begin(): Promise<void> {
    await this.each(async (target) => {
      const meta = await target.region.cache.meta(this.datasourceId);
      if (meta.shadowGeneration !== null && meta.shadowGeneration !== meta.generation)
        await target.region.cache.deleteGeneration(this.datasourceId, meta.shadowGeneration);
      const started = await target.region.cache.beginWarm(this.datasourceId);
      Object.assign(target, { shadow: started.shadow, live: started.live, epoch: started.epoch });
    });
  }

  writeBatch(entries: EntryToWrite[], withGroups: boolean | undefined): Promise<void> {
    return this.each((target) =>
      target.region.cache.writeBatch(this.datasourceId, target.shadow!, entries, withGroups),
    );
  }

  writeDirectory(measureFrequencies: Map<string, Set<string>>): Promise<void> {
    return this.each((target) =>
      target.region.cache.writeDirectory(this.datasourceId, target.shadow!, measureFrequencies),
    );
  }

  /** Verify before swap, as for the primary: each region holds every entry written. */
  verify(entries: number): Promise<void> {
    return this.each(async (target) => {
      const stored = await target.region.cache.countEntries(this.datasourceId, target.shadow!);
      if (stored !== entries) throw new Error(`wrote ${entries} entries but the region holds ${stored}`);
    });
  }

  /** After the primary's swap: each region makes its shadow live, then deletes the generation it replaced. */
  swap(summary: LiveSummary, token: string): Promise<void> {
    return this.each(async (target) => {
      const { client, cache, locks } = target.region;
      await client.set(CacheKeys.warmLock(this.datasourceId), token, 'PX', REGION_SWAP_LEASE_MS);
      try {
        const outcome = await cache.swap(
          this.datasourceId,
          { live: target.live, epoch: target.epoch },
          target.shadow!,
          summary,
          token,
        );
        if (outcome !== 'ok') throw new Error(`the region's swap was refused (${outcome})`);
      } finally {
        await locks.releaseLock(this.datasourceId, token);
      }
      target.generation = target.shadow;
      target.shadow = null;
      if (target.live !== null) await cache.deleteGeneration(this.datasourceId, target.live).catch(() => undefined);
    });
  }

  /** The warm did not swap: each region's shadow goes (a region that cannot be reached: on its next warm, see begin). */
  async abort(): Promise<void> {
    await Promise.all(
      this.targets.map((target) =>
        target.shadow === null
          ? undefined
          : target.region.cache.deleteGeneration(this.datasourceId, target.shadow).catch(() => undefined),
      ),
    );
  }

  results(primaryGeneration: number | null): Record<string, RegionWarmResult> {
    const results: Record<string, RegionWarmResult> = {
      primary: { status: 'ok', generation: primaryGeneration, error: null },
    };
    for (const target of this.targets)
      results[target.region.name] = target.failure
        ? { status: 'failed', generation: null, error: target.failure.slice(0, 500) }
        : { status: 'ok', generation: target.generation, error: null };
    return results;
  }

  /** Each region's last result, kept in the primary's meta hash for the regions status route. */
  static async record(
    caches: RegionCaches,
    datasourceId: number,
    results: Record<string, RegionWarmResult>,
  ): Promise<void> {
    const primary = caches.region('primary').client;
    const key = CacheKeys.meta(datasourceId);
    const previous = JSON.parse((await primary.hget(key, REGION_RESULTS_FIELD)) ?? '{}') as Record<string, unknown>;
    await primary.hset(key, REGION_RESULTS_FIELD, JSON.stringify({ ...previous, ...results }));
  }

  private async each(step: (target: RegionTarget) => Promise<unknown>): Promise<void> {
    await Promise.all(
      this.targets.map(async (target) => {
        if (target.failure !== null) return;
        try {
          await step(target);
        } catch (error) {
          target.failure = (error as Error).message || String(error);
        }
      }),
    );
  }
}
