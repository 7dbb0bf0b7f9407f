import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { dataSourceOptions, MIGRATIONS } from '../src/database/data-source-options.js';
import { runMigrations } from '../src/database/migrate.js';
import { adminDatabaseUrl, testEnv } from './support/env.js';

const SEED_TABLES = [
  'cache_performance_alert',
  'cache_warming_job',
  'cache_usage_pattern',
  'cache_optimization_recommendation',
  'index_strategy',
  'query_performance_log',
  'index_usage_stats',
  'performance_threshold',
];
const OWN_TABLES = [
  'cache_layer',
  'cache_strategy',
  'app_user',
  'api_key',
  'audit_log',
  'remediation_rule',
  'remediation_action',
];

describe('migrations on an empty database', () => {
  const name = `ccc_migr_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let admin: pg.Client;
  let db: DataSource;

  const tables = async (): Promise<string[]> =>
    (
      await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
      )
    ).map((row: { table_name: string }) => row.table_name);

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(testEnv().databaseUrl);
    url.pathname = `/${name}`;
    db = await new DataSource(
      dataSourceOptions(loadConfig({ ...process.env, DATABASE_URL: url.toString() })),
    ).initialize();
  });

  afterAll(async () => {
    await db?.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('creates every seed table and our own, and is idempotent', async () => {
    expect(await runMigrations(db)).toEqual([
      'InitialSchema1763700000000',
      'WarmingProgress1763800000000',
      'Monitoring1763900000000',
      'CredentialRevocation1764100000000',
      'IndexOwnership1764200000000',
      'KeysWithoutCreator1764300000000',
      'Remediation1764500000000',
      'IncrementalRefresh1764600000000',
      'ChangeCaptureAlerts1764700000000',
      'CacheRegions1764800000000',
      'RemediationInvalidateRegion1764900000000',
    ]);
    expect(await tables()).toEqual([...SEED_TABLES, ...OWN_TABLES].sort());
    expect(await runMigrations(db)).toEqual([]);
  });

  it('marks no index strategy of before index ownership as built by the service: a taken-over index looks the same', async () => {
    const { IndexOwnership1764200000000 } = await import('../src/database/migrations/1764200000000-index-ownership.js');
    const migration = new IndexOwnership1764200000000();
    const runner = db.createQueryRunner();
    try {
      await migration.down(runner);
      // What apply or the builder left when they found an index of the strategy's name already there.
      await runner.query(
        `INSERT INTO index_strategy (table_name, index_name, index_type, index_definition, columns, usage_pattern, maintenance_window, is_created, created_in_db_at, created_by)
         VALUES ('s.t', 'ix_taken_over', 'BTREE', 'CREATE INDEX CONCURRENTLY "ix_taken_over" ON "s"."t" USING btree ("a")', '["a"]', 'LOOKUP', 'IMMEDIATE', true, now(), '00000000-0000-0000-0000-000000000000')`,
      );
      await migration.up(runner);
      expect(
        await runner.query(`SELECT built_by_service FROM index_strategy WHERE index_name = 'ix_taken_over'`),
      ).toEqual([{ built_by_service: false }]);
    } finally {
      await runner.query(`DELETE FROM index_strategy WHERE index_name = 'ix_taken_over'`).catch(() => undefined);
      await runner.release();
    }
  });

  it('keeps the seed constraints', async () => {
    const insertLog = (hash: string) =>
      db.query(
        `INSERT INTO query_performance_log (query_hash, query_pattern, execution_time_ms, rows_examined, rows_returned, database_user) VALUES ($1, 'SELECT 1', 1, 0, 0, 'test')`,
        [hash],
      );
    await expect(insertLog('a'.repeat(63))).rejects.toThrow(/query_hash/);
    await expect(insertLog('a'.repeat(64))).resolves.toBeDefined();
    await expect(
      db.query(
        `INSERT INTO performance_threshold (metric_type, warning_threshold, critical_threshold, threshold_unit, created_by) VALUES ('QUERY_TIME', 100, 50, 'MILLISECONDS', '00000000-0000-0000-0000-000000000000')`,
      ),
    ).rejects.toThrow(/chk_threshold_order/);
    await expect(
      db.query(
        `INSERT INTO index_strategy (table_name, index_name, index_type, index_definition, columns, usage_pattern, maintenance_window, created_by) VALUES ('t', 'i', 'BITMAP', 'x', '[]', 'LOOKUP', 'IMMEDIATE', '00000000-0000-0000-0000-000000000000')`,
      ),
    ).rejects.toThrow(/invalid input value for enum/);
  });

  it('widens the seed SMALLINT counters that cannot hold real values', async () => {
    const types: Array<{ column_name: string; data_type: string }> = await db.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE (table_name = 'cache_warming_job' AND column_name IN ('total_keys', 'warmed_keys', 'failed_keys', 'duration_seconds')) OR (table_name = 'cache_usage_pattern' AND column_name = 'optimal_ttl_seconds')`,
    );
    expect(types).toHaveLength(5);
    expect(new Set(types.map((t) => t.data_type))).toEqual(new Set(['integer']));
  });

  it('orders thresholds by severity in the direction the metric gets worse', async () => {
    const insert = (metric: string, warning: number, critical: number, unit: string) =>
      db.query(
        `INSERT INTO performance_threshold (metric_type, warning_threshold, critical_threshold, threshold_unit, created_by) VALUES ($1, $2, $3, $4, '00000000-0000-0000-0000-000000000000')`,
        [metric, warning, critical, unit],
      );
    // Hit rate gets worse downwards: critical below warning.
    await expect(insert('CACHE_HIT_RATIO', 80, 50, 'PERCENTAGE')).resolves.toBeDefined();
    await expect(insert('CACHE_HIT_RATIO', 50, 80, 'PERCENTAGE')).rejects.toThrow(/chk_threshold_order/);
    await expect(insert('CACHE_AGE', 80, 100, 'PERCENTAGE')).resolves.toBeDefined();
  });

  it('allows one open recommendation per target', async () => {
    const [strategy] = await db.query(
      `INSERT INTO cache_strategy (cache_layer_id, name, source_table, column_mapping, created_by) VALUES ('00000000-0000-0000-0000-00000000c001', 'm', 'public.t', '{}', '00000000-0000-0000-0000-000000000000') RETURNING id`,
    );
    const insert = (status: string) =>
      db.query(
        `INSERT INTO cache_optimization_recommendation (cache_strategy_id, recommendation_type, priority, recommendation_description, current_configuration, recommended_configuration, estimated_improvement, improvement_metric, implementation_status, target_key, created_by) VALUES ($1, 'ADJUST_TTL', 'LOW', 'd', '{}', '{}', 1, 'x', $2, 'ttl', '00000000-0000-0000-0000-000000000000')`,
        [strategy.id, status],
      );
    await insert('REJECTED');
    await insert('PENDING');
    await expect(insert('APPROVED')).rejects.toThrow(/uq_recommendation_open/);
  });

  it('keeps the audit log append-only', async () => {
    await db.query(`INSERT INTO audit_log (actor_kind, action, outcome) VALUES ('anonymous', 'test', 'success')`);
    await expect(db.query(`UPDATE audit_log SET action = 'rewritten'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  });

  it('allows one open alert per (layer, strategy, type)', async () => {
    const insert = () =>
      db.query(
        `INSERT INTO cache_performance_alert (cache_layer_id, alert_type, severity, alert_message, threshold_value, actual_value, created_by) VALUES ('00000000-0000-0000-0000-00000000c001', 'HIT_RATE_LOW', 'WARNING', 'low', 90, 80, '00000000-0000-0000-0000-000000000000')`,
      );
    await insert();
    await expect(insert()).rejects.toThrow(/uq_cache_alert_open/);
  });

  it('reverts to an empty schema', async () => {
    for (let i = 0; i < MIGRATIONS.length; i += 1) await db.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);
    const types = await db.query(
      `SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'`,
    );
    expect(types).toEqual([]);
  });
});
