import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ANALYTICS_CACHE_LAYER_ID, CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { DEMO_DATASETS, DEMO_PERIODS, DEMO_SCHEMA, type DemoDataset } from './demo-datasets.js';

const DEMO_LOCK_ID = 0x0ccc_0002;

export interface DemoSeedResult {
  datasources: Array<{ name: string; rows: number; created: boolean }>;
}

/** Creates the demo fact tables and registers them as datasources; running it again changes nothing. */
@Injectable()
export class DemoSeedService {
  private readonly logger = new Logger(DemoSeedService.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async seed(scale = 1): Promise<DemoSeedResult> {
    return this.db.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [DEMO_LOCK_ID]);
      await manager.query(`CREATE SCHEMA IF NOT EXISTS ${DEMO_SCHEMA}`);
      const datasources: DemoSeedResult['datasources'] = [];
      for (const dataset of DEMO_DATASETS) {
        const rows = await this.ensureTable(manager, dataset, scale);
        const created = await this.ensureRegistered(manager, dataset);
        datasources.push({ name: dataset.name, rows, created });
      }
      return { datasources };
    });
  }

  private async ensureTable(manager: EntityManager, dataset: DemoDataset, scale: number): Promise<number> {
    const c = dataset.columns;
    await manager.query(`
      CREATE TABLE IF NOT EXISTS ${dataset.table} (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ${c.measure} TEXT NOT NULL,
        ${c.practice} INTEGER NOT NULL,
        ${c.provider} INTEGER NOT NULL,
        ${c.frequency} TEXT NOT NULL,
        ${c.period} DATE NOT NULL,
        ${c.value} NUMERIC(14,2) NOT NULL
      )`);
    const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM ${dataset.table}`);
    if (count > 0) return count;

    const providers = Math.max(1, Math.round(dataset.providersPerPractice * scale));
    const periods = DEMO_PERIODS.map((p) => `('${p.frequency}', ${p.count}, interval '${p.step}')`).join(', ');
    // Values are a hash of the row's coordinates, so every seeded database holds the same numbers.
    await manager.query(
      `INSERT INTO ${dataset.table} (${c.measure}, ${c.practice}, ${c.provider}, ${c.frequency}, ${c.period}, ${c.value})
       SELECT m.measure, 100 + pr.n, (100 + pr.n) * 100 + pv.n, f.frequency,
              (date '2026-10-31' - f.step * k.k)::date,
              round((abs(hashtext(m.measure || pr.n || ':' || pv.n || f.frequency || k.k)) % 1000000) / 100.0, 2)
       FROM unnest($1::text[]) AS m(measure)
       CROSS JOIN generate_series(1, $2::int) AS pr(n)
       CROSS JOIN generate_series(1, $3::int) AS pv(n)
       CROSS JOIN (VALUES ${periods}) AS f(frequency, periods, step)
       CROSS JOIN LATERAL generate_series(0, f.periods - 1) AS k(k)`,
      [dataset.measures, dataset.practices, providers],
    );
    // Matches the warming query's order, so warming streams rows without a sort.
    const indexName = `${dataset.table.split('.')[1]}_entry_order_idx`;
    await manager.query(
      `CREATE INDEX IF NOT EXISTS ${indexName} ON ${dataset.table} (${c.measure}, ${c.practice}, ${c.provider}, ${c.frequency}, ${c.period})`,
    );
    await manager.query(`ANALYZE ${dataset.table}`);
    const [{ count: inserted }] = await manager.query(`SELECT count(*)::int AS count FROM ${dataset.table}`);
    this.logger.log(`Demo table ${dataset.table}: ${inserted} rows`);
    return inserted;
  }

  private async ensureRegistered(manager: EntityManager, dataset: DemoDataset): Promise<boolean> {
    const repository = manager.getRepository(CacheStrategyEntity);
    const exists = await repository
      .createQueryBuilder('s')
      .where('lower(s.name) = lower(:name)', { name: dataset.name })
      .getExists();
    if (exists) return false;
    await repository.insert({
      cacheLayerId: ANALYTICS_CACHE_LAYER_ID,
      name: dataset.name,
      description: dataset.description,
      sourceTable: dataset.table,
      columnMapping: dataset.columns,
      stalenessTtlSeconds: dataset.stalenessTtlSeconds,
      minWarmIntervalSeconds: 300,
      warmSchedule: dataset.warmSchedule,
      isEnabled: true,
      createdBy: SYSTEM_USER_ID,
    });
    return true;
  }
}
