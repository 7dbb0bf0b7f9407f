// A bare NestJS (Express) app with one route, GET /api/analytics/datasources/:id/query, that does what the
// service's query path does in Redis — through the service's own code: planQuery, CacheRepository.query (the
// Lua QUERY script), the entry-size cap of its configuration, spliceQueryResponse — and nothing else: no auth,
// validation, counters, helmet or middleware. The cache-engine bench forks it as its own process (as the
// service is) to compare req/s.
// Env: REDIS_URL, SERVICE_DIST (apps/cache-service/dist), and the service's variables (its configuration is
// read with the service's loader). Listens on a free 127.0.0.1 port and reports it to the parent over IPC as
// { type: 'listening', port }.
import 'reflect-metadata';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Controller, Get, Header, Module, NotFoundException, Param, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';

const dist = (file) => pathToFileURL(path.join(process.env.SERVICE_DIST, file)).href;
const { CacheRepository } = await import(dist('analytics-cache/cache.repository.js'));
const { WarmLocks } = await import(dist('analytics-cache/warm-locks.js'));
const { UsageCounters } = await import(dist('analytics-cache/usage-counters.js'));
const { planQuery, spliceQueryResponse } = await import(dist('analytics-cache/entry-codec.js'));
const { loadConfig } = await import(dist('config/app-config.js'));

const redis = new Redis(process.env.REDIS_URL, { connectionName: 'bench-bare-nest' });
const cache = new CacheRepository(redis, new WarmLocks(redis), new UsageCounters(redis));
const { maxEntries } = loadConfig(process.env).query;

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

const app = await NestFactory.create(BareModule, { logger: false });
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
