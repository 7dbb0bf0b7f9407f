import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { ErrorCode, LoginResponse, Role } from '@ccc/shared-types';
import request from 'supertest';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { APP_CONFIG } from '../../src/config/config.module.js';
import { Clock } from '../../src/platform/clock.js';
import { createHttpAdapter } from '../../src/configure-http.js';
import { serviceComposition } from '../../src/service-composition.js';
import { UsersService } from '../../src/users/users.service.js';
import { testEnv } from './env.js';
import { TEST_SOURCE_SCHEMA } from './source-table.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  http: ReturnType<typeof request>;
  close(): Promise<void>;
}

/** The whole service in its role (SERVICE_ROLE), configured exactly as main.ts does, on the test Redis and database. */
export async function createTestApp(
  env: Record<string, string> = {},
  extra: { controllers?: Type[]; clock?: Clock } = {},
): Promise<TestApp> {
  testEnv();
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    JWT_SECRET: 'test-secret-test-secret-test-secret-000',
    DASHBOARD_DIR: '/nonexistent',
    // Every test file signs in from 127.0.0.1; the login and credential limits have their own tests.
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1000000',
    LOGIN_BACKOFF_IP_FREE_ATTEMPTS: '1000000',
    // Below production's 17 (which production refuses): thousands of sign-ins in the suite stay fast.
    SCRYPT_COST: '14',
    // Tests run monitoring tasks by calling them; timers would race them.
    MONITORING_SCHEDULES: 'false',
    // The demo tables and the tests' own source tables (support/source-table.ts) are the only sources.
    SOURCE_SCHEMAS: `demo_analytics,${TEST_SOURCE_SCHEMA}`,
    // Replaced generations are deleted after the grace period, so tests that count generations see only theirs; the
    // rollback test (rollback.e2e-spec.ts) retains them.
    GENERATION_RETENTION_SECONDS: '0',
    // One JSON line per request on stdout would drown the test output (the logging test starts the built service).
    LOG_LEVEL: process.env.TEST_LOG ? 'log' : 'error',
    ...env,
  });
  const composition = await serviceComposition(config.role);
  let builder = Test.createTestingModule({ imports: [composition.module], controllers: extra.controllers ?? [] })
    .overrideProvider(APP_CONFIG)
    .useValue(config);
  // A test's own clock (support/clock.ts) moves time for the services that read it, instead of sleeping.
  if (extra.clock) builder = builder.overrideProvider(Clock).useValue(extra.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), {
    logger: process.env.TEST_LOG ? ['error', 'warn', 'log'] : ['error'],
    bodyParser: false,
  });
  composition.configure(app, config);
  await app.init();
  // Fastify registers its plugins (bull-board, the dashboard, Swagger UI's assets) when it is ready.
  await app.getHttpAdapter().getInstance().ready();
  return { app, config, http: request(app.getHttpServer()), close: () => app.close() };
}

export const TEST_PASSWORD = 'Correct-Horse-9';

/** A fresh user of the given role and a token for it (unique email per call, so test files never collide). */
export async function userWithToken(
  testApp: TestApp,
  role: Role,
): Promise<{ id: string; email: string; token: string }> {
  const email = `${role}-${randomUUID().slice(0, 8)}@test.local`;
  const user = await testApp.app.get(UsersService).create({ email, password: TEST_PASSWORD, role });
  const response = await testApp.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
  return { id: user.id, email, token: (response.body as LoginResponse).accessToken };
}

export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** For supertest's `.expect(…)` after the status: the error answer names this `code` (what a client branches on). */
export function errorCode(code: ErrorCode): (response: { body: { code?: string; message?: string } }) => void {
  return (response) => {
    if (response.body?.code !== code)
      throw new Error(`expected error code ${code}, got ${response.body?.code}: ${response.body?.message}`);
  };
}
