import type { Datasource, RecommendationGenerationResult } from '@ccc/shared-types';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createSourceTable, TEST_MAPPING } from './source-table.js';
import { bearer, type TestApp } from './test-app.js';
import { UsageCounters } from '../../src/analytics-cache/usage-counters.js';

const DAY_MS = 86_400_000;

export const dayOf = (date: Date): string => date.toISOString().slice(0, 10);
export const yesterday = (): string => dayOf(new Date(Date.now() - DAY_MS));
export const daysAgo = (days: number): string => dayOf(new Date(Date.now() - days * DAY_MS));

/** A datasource of its own (own source table, unique name). */
export async function createDatasource(
  t: TestApp,
  token: string,
  patch: Record<string, unknown> = {},
): Promise<Datasource> {
  const table = await createSourceTable(t.app.get(DataSource), { practices: 2, providers: 2, periods: 2 });
  const response = await t.http
    .post('/api/admin/datasources')
    .set(bearer(token))
    .send({
      name: `Insights ${randomUUID().slice(0, 8)}`,
      sourceTable: table,
      columnMapping: TEST_MAPPING,
      minWarmIntervalSeconds: 0,
      ...patch,
    })
    .expect(201);
  return response.body as Datasource;
}

/**
 * Synthetic query-API traffic for one UTC day: `base` requests every hour (95 % hits), and `peak` requests (50 % hits)
 * in each of the peak hours.
 */
export async function peakedDay(
  t: TestApp,
  datasourceId: number,
  day: string,
  options: { base?: number; peak?: number; peakHours?: number[] } = {},
): Promise<void> {
  const base = options.base ?? 20;
  const peak = options.peak ?? 600;
  const peakHours = options.peakHours ?? [14, 15, 16];
  const counters = Array.from({ length: 24 }, (_, hour) => {
    const requests = peakHours.includes(hour) ? peak : base;
    const hits = peakHours.includes(hour) ? Math.round(requests / 2) : Math.round(requests * 0.95);
    return {
      hour: `${day.replace(/-/g, '')}${String(hour).padStart(2, '0')}`,
      hits,
      misses: requests - hits,
      latencyMicros: requests * 1500,
    };
  });
  await t.app.get(UsageCounters).addQueryCounters(datasourceId, counters);
}

/** "Generate now", retried while another test file holds the evaluation lease. */
export async function generateRecommendations(t: TestApp, token: string): Promise<RecommendationGenerationResult> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const result = (await t.http.post('/api/admin/monitoring/recommendations/generate').set(bearer(token)).expect(200))
      .body as RecommendationGenerationResult;
    if (result.ran) return result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the recommendations lease stayed busy');
}
