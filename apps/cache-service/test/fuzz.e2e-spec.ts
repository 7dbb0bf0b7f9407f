import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ERROR_CODES, type Datasource, type LoginResponse } from '@ccc/shared-types';
import { DemoSeedService } from '../src/demo/demo-seed.service.js';
import { UsersService } from '../src/users/users.service.js';
import { isolatedStack, type IsolatedStack } from './support/isolated-stack.js';
import {
  harvest,
  operationsOf,
  resourceOf,
  SchemaArbitraries,
  type FuzzRequest,
  type IdPool,
  type Operation,
} from './support/openapi-fuzz.js';
import { bearer, createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';
import { requestWarm, waitForJob } from './support/warming.js';

/*
 * Acceptance 2 of issue 9: every operation of the OpenAPI document, as an admin, with schema-valid and hostile
 * input (NUL, lone surrogates, 5000-level nesting, huge strings, impossible dates, nulls, extra fields such as
 * __proto__, wrong types, form-encoded and non-JSON bodies, from after to).
 *
 * CI runs a fixed seed and a few runs per operation. To fuzz longer:
 *   FUZZ_RUNS=200 FUZZ_SEED=$RANDOM npm test -- --only=jest --pattern=fuzz
 * A failure prints the seed, the operation and the request; rerun with that seed to reproduce it.
 *
 * Exclusions (kept minimal):
 * - the fuzzer's own user id is never used as a path id: disabling, demoting or re-passwording itself would end
 *   the run (protecting the last admin is tested on its own);
 * - DELETE operations run last, so the rows the other operations aim at exist while they run;
 * - POST /api/auth/login is not expected to leave an audit row: a sign-in changes no managed state.
 * When a request still takes the fuzzer's session away (a logout, a revoked token), it signs in again.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261209);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
const MUTATING = new Set(['post', 'put', 'patch', 'delete']);
const NOT_AUDITED = new Set(['POST /api/auth/login']);

/**
 * Values the service takes that the OpenAPI document cannot describe (tables that exist, demo dimension values,
 * fresh emails, a cron expression): drawn for fields of these names beside the generated ones.
 */
const HINTS: Record<string, fc.Arbitrary<unknown>> = {
  email: fc.uuid().map((id) => `fuzz-${id.slice(0, 8)}@test.local`),
  password: fc.constantFrom(TEST_PASSWORD, 'Another-Passw0rd!'),
  displayName: fc.constantFrom('Ops ✓', 'Ünïcödé 😀 name', "O'Brien; DROP TABLE x; --"),
  sourceTable: fc.constantFrom('demo_analytics.revenue_facts', 'demo_analytics.operational_facts'),
  tableName: fc.constantFrom('demo_analytics.revenue_facts', 'demo_analytics.operational_facts', null),
  measure: fc.constantFrom('Charges', 'Payments', 'Visits'),
  frequency: fc.constantFrom('Daily', 'Monthly', 'Quarterly'),
  practice: fc.constantFrom('1', '2', '101'),
  provider: fc.constantFrom('1001', '2001', '10101'),
  cron: fc.constantFrom('*/5 * * * *', '0 3 * * *', null),
  warmSchedule: fc.constantFrom('*/5 * * * *', null),
  pattern: fc.constantFrom('fuzz:*', 'cache:*', 'idx:{ds:1}:*', '*'),
  columns: fc.constantFrom(['practice_id'], ['measure', 'period_date'], ['lower(measure)']),
  whereClause: fc.constantFrom("frequency = 'Monthly'", 'value IS NOT NULL', null),
  scheduledAt: fc
    .date({ min: new Date('2030-01-01T00:00:00Z'), max: new Date('2031-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
};

interface Problem {
  operation: string;
  url: string;
  note: string;
  status: number;
  problem: string;
  body?: string;
}

describe('OpenAPI fuzz (every operation, as admin)', () => {
  let stack: IsolatedStack;
  let t: TestApp;
  let admin: { id: string; email: string; token: string };
  const pool: IdPool = new Map();
  const problems: Problem[] = [];
  const changes: { correlationId: string; operation: string; url: string }[] = [];
  let requests = 0;
  /** Statuses answered per operation, printed with FUZZ_REPORT=1 to see how deep the run reached. */
  const statuses = new Map<string, Record<number, number>>();
  const refusals = new Map<string, Map<string, number>>();
  const durations = new Map<string, number>();

  beforeAll(async () => {
    stack = await isolatedStack('fuzz');
    t = await createTestApp({
      ...stack.env,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
      RATE_LIMIT_WARMING_PER_HOUR: '100000',
      RATE_LIMIT_INVALIDATION_PER_HOUR: '100000',
    });
    const email = `fuzz-admin-${randomUUID().slice(0, 8)}@test.local`;
    const user = await t.app.get(UsersService).create({ email, password: TEST_PASSWORD, role: 'admin' });
    admin = { id: user.id, email, token: '' };
    await signIn();
    // Something real for the operations to reach: the demo datasources (small), one of them warmed.
    await t.app.get(DemoSeedService).seed(0.02);
    const first = (
      (await t.http.get('/api/admin/datasources').set(bearer(admin.token)).expect(200)).body as Datasource[]
    )[0];
    await waitForJob(t, admin.token, (await requestWarm(t, admin.token, first.id)).jobId!, ['COMPLETED']);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await stack?.close();
  });

  /** Signs the fuzzer in again (a few tries: sign-in may be rate-limited after the login fuzzing). */
  async function signIn(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const login = await t.http.post('/api/auth/login').send({ email: admin.email, password: TEST_PASSWORD });
      if (login.status === 200) {
        admin.token = (login.body as LoginResponse).accessToken;
        return;
      }
      if (login.status === 429) {
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(Number(login.headers['retry-after'] ?? 1), 5) * 1000),
        );
        continue;
      }
      // The run changed the fuzzer's own account after all: continue as a new admin.
      admin.email = `fuzz-admin-${randomUUID().slice(0, 8)}@test.local`;
      admin.id = (
        await t.app.get(UsersService).create({ email: admin.email, password: TEST_PASSWORD, role: 'admin' })
      ).id;
    }
    throw new Error('the fuzzer could not sign in again');
  }

  async function send(op: Operation, request: FuzzRequest): Promise<void> {
    const correlationId = `fuzz-${randomUUID()}`;
    requests += 1;
    let test = t.http[op.method](request.url).set('X-Correlation-Id', correlationId).set(bearer(admin.token));
    if (request.body) {
      if (request.body.contentType) test = test.set('Content-Type', request.body.contentType);
      test = test.send(request.body.raw);
    }
    const response = await test.catch((error: Error) => ({ status: 0, body: undefined, text: error.message }));
    const seen = statuses.get(op.id) ?? {};
    seen[response.status] = (seen[response.status] ?? 0) + 1;
    statuses.set(op.id, seen);
    const report = (problem: string) =>
      problems.push({
        operation: op.id,
        url: request.url.slice(0, 200),
        note: request.note,
        status: response.status,
        problem,
        body: String(response.text ?? '').slice(0, 300),
      });
    if (response.status === 0 || response.status >= 500) report('server error');
    else if (response.status >= 400) {
      const body = response.body as {
        code?: string;
        message?: unknown;
        correlationId?: string;
        details?: { fields?: { field?: unknown; messages?: unknown }[] };
      };
      if (!ERROR_CODES.includes(body?.code as never) || typeof body.message !== 'string' || body.message === '')
        report('error body is not {code, message}');
      else if (body.correlationId !== correlationId) report('error body without the correlation id');
      else if (
        body.code === 'VALIDATION_FAILED' &&
        !(
          body.details?.fields?.length &&
          body.details.fields.every((f) => typeof f.field === 'string' && f.field !== '')
        )
      )
        report('validation error does not name the field');
      if (response.status === 401 && op.id !== 'POST /api/auth/login') await signIn();
      const messages = refusals.get(op.id) ?? new Map<string, number>();
      const text = `${response.status} ${String(body?.message).slice(0, 100)}`;
      messages.set(text, (messages.get(text) ?? 0) + 1);
      refusals.set(op.id, messages);
    } else {
      if (MUTATING.has(op.method) && !NOT_AUDITED.has(op.id))
        changes.push({ correlationId, operation: op.id, url: request.url.slice(0, 200) });
      harvest(pool, resourceOf(op.path), response.body, (id) => id === admin.id);
    }
  }

  it('answers every operation without a 5xx, with {code, message} errors naming the field, audits every change and stays ready', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(50);
    // Read everything once first, so ids of existing rows are in the pool.
    for (const op of operations.filter((o) => o.method === 'get' && o.pathParams.length === 0)) {
      harvest(
        pool,
        resourceOf(op.path),
        (await t.http.get(op.path).set(bearer(admin.token))).body,
        (id) => id === admin.id,
      );
    }

    const arbitraries = new SchemaArbitraries(doc, pool, HINTS);
    const ordered = [
      ...operations.filter((o) => o.method !== 'delete'),
      ...operations.filter((o) => o.method === 'delete'),
    ];
    for (const [index, op] of ordered.entries()) {
      const started = Date.now();
      const arbitrary = arbitraries.request(op, (name, value) => name === 'id' && value === admin.id);
      await fc.assert(
        fc.asyncProperty(arbitrary, async (request) => {
          await send(op, request);
          return true;
        }),
        { seed: SEED + index, numRuns: RUNS },
      );
      durations.set(op.id, Date.now() - started);
    }

    // The service is still ready and serves a normal request.
    await t.http.get('/health/ready').expect(200);
    await signIn();
    await t.http.get('/api/admin/datasources').set(bearer(admin.token)).expect(200);

    // Every successful change left its audit row.
    const ids = changes.map((c) => c.correlationId);
    const audited = new Set<string>(
      (
        await stack.db.query(
          `SELECT correlation_id FROM audit_log WHERE correlation_id = ANY($1) AND outcome = 'success'`,
          [ids],
        )
      ).map((row: { correlation_id: string }) => row.correlation_id),
    );
    const unaudited = changes.filter((c) => !audited.has(c.correlationId));

    // One line per kind of problem (operation + what went wrong), with its count and first example.
    const grouped = new Map<string, Problem & { count: number }>();
    for (const problem of problems) {
      const key = `${problem.operation} → ${problem.problem}`;
      const seen = grouped.get(key);
      if (seen) seen.count += 1;
      else grouped.set(key, { ...problem, count: 1 });
    }
    const summary = {
      seed: SEED,
      runsPerOperation: RUNS,
      operations: operations.length,
      requests,
      changes: changes.length,
    };
    const found = { problems: [...grouped.values()], unaudited };
    if (process.env.FUZZ_REPORT) {
      const top = (op: string) =>
        [...(refusals.get(op) ?? [])]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([m, n]) => `\n    ${n}× ${m}`)
          .join('');
      console.log(
        [...statuses]
          .map(([op, counts]) => `${op} ${durations.get(op)} ms ${JSON.stringify(counts)}${top(op)}`)
          .join('\n'),
      );
    }
    if (problems.length > 0 || unaudited.length > 0) console.log(JSON.stringify({ summary, ...found }, null, 1));
    expect(found).toEqual({ problems: [], unaudited: [] });
  }, 600_000);
});
