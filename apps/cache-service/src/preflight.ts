import { Redis } from 'ioredis';
import pg from 'pg';
import type { AppConfig } from './config/app-config.js';

/** A URL safe to print: the password is masked. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(invalid URL)';
  }
}

async function checkRedis(config: AppConfig): Promise<string | null> {
  const target = config.redis.clusterNodes?.[0] ? `redis://${config.redis.clusterNodes[0].host}:${config.redis.clusterNodes[0].port}` : config.redis.url;
  const client = new Redis(target, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return `Cannot reach Redis at ${redactUrl(target)} (${(error as Error).message}). Start Redis or set REDIS_URL.`;
  } finally {
    client.disconnect();
  }
}

async function checkPostgres(config: AppConfig): Promise<string | null> {
  const client = new pg.Client({ connectionString: config.database.url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    const message = (error as Error).message || (error as { code?: string }).code || 'unknown error';
    const hint = /does not exist/.test(message) ? 'Create the database or set DATABASE_URL.' : 'Start PostgreSQL or set DATABASE_URL.';
    return `Cannot reach PostgreSQL at ${redactUrl(config.database.url)} (${message}). ${hint}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One line per unreachable dependency, checked without retry loops so start-up fails within seconds. */
export async function preflight(config: AppConfig): Promise<string[]> {
  const problems = await Promise.all([checkRedis(config), checkPostgres(config)]);
  return problems.filter((problem): problem is string => problem !== null);
}
