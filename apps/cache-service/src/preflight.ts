import { Redis } from 'ioredis';
import pg from 'pg';
import type { AppConfig } from './config/app-config.js';
import { redactUrl } from './common/redact-url.js';

async function checkRedis(config: AppConfig): Promise<string | null> {
  const target = config.redis.clusterNodes?.[0]
    ? `redis://${config.redis.clusterNodes[0].host}:${config.redis.clusterNodes[0].port}`
    : config.redis.url;
  const client = new Redis(target, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
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

async function checkPostgres(url: string, variable: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    const message = (error as Error).message || (error as { code?: string }).code || 'unknown error';
    const hint = /does not exist/.test(message)
      ? `Create the database (or role) or set ${variable}.`
      : `Start PostgreSQL or set ${variable}.`;
    return `Cannot reach PostgreSQL at ${redactUrl(url)} (${message}). ${hint}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One line per unreachable dependency, checked without retry loops so start-up fails within seconds. */
export async function preflight(config: AppConfig): Promise<string[]> {
  const problems = await Promise.all([
    checkRedis(config),
    checkPostgres(config.database.url, 'DATABASE_URL'),
    // The read-only source role is a second way in (see SourceDatabase); without one it is the same connection.
    config.sources.databaseUrl !== config.database.url
      ? checkPostgres(config.sources.databaseUrl, 'SOURCE_DATABASE_URL')
      : null,
  ]);
  return problems.filter((problem): problem is string => problem !== null);
}
