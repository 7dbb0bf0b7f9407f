// A bare NestJS app with one route, GET /api/analytics/datasources/:id/query, that does what the service's query
// path does in Redis — through the service's own code: planQuery, CacheRepository.query (the Lua QUERY script), the
// entry-size cap of its configuration, spliceQueryResponse — and nothing else: no auth, validation, counters,
// helmet or middleware. The cache-engine bench forks it as its own process (as the service is) to compare req/s,
// once on Fastify (BARE_PLATFORM=fastify, the service's platform) and once on Express, same handler.
// Its Redis client is made by the service's own factory (createRedisClient), with the service's options.
// Env: REDIS_URL, SERVICE_DIST (apps/cache-service/dist), BARE_PLATFORM (express | fastify), and the service's
// variables (its configuration is read with the service's loader). Listens on a free 127.0.0.1 port and reports
// it to the parent over IPC as { type: 'listening', port }.
import 'reflect-metadata';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Controller, Get, Header, Module, NotFoundException, Param, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const dist = (file) => pathToFileURL(path.join(process.env.SERVICE_DIST, file)).href;
const { CacheRepository } = await import(dist('analytics-cache/cache.repository.js'));
const { WarmLocks } = await import(dist('analytics-cache/warm-locks.js'));
const { UsageCounters } = await import(dist('analytics-cache/usage-counters.js'));
const { planQuery, spliceQueryResponse } = await import(dist('analytics-cache/entry-codec.js'));
const { loadConfig } = await import(dist('config/app-config.js'));
const { createRedisClient } = await import(dist('redis/redis.module.js'));

const platform = process.env.BARE_PLATFORM ?? 'express';
const config = loadConfig(process.env);
const redis = createRedisClient(config, `bench-bare-${platform}`);
const cache = new CacheRepository(redis, new WarmLocks(redis), new UsageCounters(redis));
const { maxEntries } = config.query;

class QueryController {
  async query(id, query) {
    const datasourceId = Number(id);
    const plan = planQuery({
      measure: query.measure,
      frequency: query.frequency,
      practice: query.practice,
      provider: query.provider,
    });
    const result = await cache.query(datasourceId, plan, maxEntries);
    if (result.kind !== 'hit') throw new NotFoundException(`not answered from the cache: ${result.kind}`);
    return spliceQueryResponse(datasourceId, 'cache', result.generation, result.entries);
  }
}
// Decorators applied by hand (this file is plain JavaScript).
const proto = QueryController.prototype;
const descriptor = Object.getOwnPropertyDescriptor(proto, 'query');
Param('id')(proto, 'query', 0);
Query()(proto, 'query', 1);
Header('Content-Type', 'application/json; charset=utf-8')(proto, 'query', descriptor);
Get(':id/query')(proto, 'query', descriptor);
Controller('analytics/datasources')(QueryController);

class BareModule {}
Module({ controllers: [QueryController] })(BareModule);

async function create() {
  if (platform === 'express') return NestFactory.create(BareModule, { logger: false });
  if (platform !== 'fastify') throw new Error(`BARE_PLATFORM must be express or fastify, not ${platform}`);
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return NestFactory.create(BareModule, new FastifyAdapter(), { logger: false });
}

const app = await create();
app.setGlobalPrefix('api');
await app.listen(0, '127.0.0.1');
process.send?.({ type: 'listening', port: app.getHttpServer().address().port });

let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(0), 3_000).unref();
  await app.close().catch(() => undefined);
  redis.disconnect();
  process.exit(0);
};
process.on('disconnect', close);
process.on('SIGTERM', close);
process.on('message', (m) => m?.type === 'stop' && close());
