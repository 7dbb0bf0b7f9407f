import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { runMigrations } from '../../src/database/migrate.js';
import { adminDatabaseUrl, testEnv } from './env.js';
import { freePort, PrivateRedis } from './redis-server.js';

export interface IsolatedStack {
  /** Environment for createTestApp: this stack's Redis and database. */
  env: { REDIS_URL: string; DATABASE_URL: string };
  /** A connection to this stack's database (migrated). */
  db: DataSource;
  close(): Promise<void>;
}

/**
 * A redis-server and a migrated database of this test's own, for tests whose changes would disturb the
 * other test files running beside them on the shared test Redis and database (a fuzzer that purges keys
 * and creates global thresholds, a fault injected into a table).
 */
export async function isolatedStack(label: string): Promise<IsolatedStack> {
  const name = `ccc_${label}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(testEnv().databaseUrl);
  url.pathname = `/${name}`;
  const redis = new PrivateRedis(await freePort());
  await redis.start();
  const env = { REDIS_URL: redis.url, DATABASE_URL: url.toString() };
  const db = await new DataSource(dataSourceOptions(loadConfig({ ...process.env, ...env }))).initialize();
  await runMigrations(db);
  return {
    env,
    db,
    close: async () => {
      await db.destroy();
      await redis.stop();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
