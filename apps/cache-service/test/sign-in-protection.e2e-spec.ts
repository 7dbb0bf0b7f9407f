import { randomBytes, randomUUID } from 'node:crypto';
import type { CreatedApiKey } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { PasswordHasher } from '../src/users/password.js';
import { accountTracker } from '../src/auth/sign-in-throttle.js';
import { RedisKeys } from '../src/redis/redis-keys.js';
import { AppUserEntity } from '../src/users/app-user.entity.js';
import { UsersService } from '../src/users/users.service.js';
import { createScratchDatabase } from './support/scratch-database.js';
import { bearer, createTestApp, errorCode, TEST_PASSWORD, userWithToken, type TestApp } from './support/test-app.js';
import { sleep } from './support/warming.js';

/** A client address of its own per test (through a trusted loopback proxy), so no other test file's traffic counts. */
const clientAddress = (): string => `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
/** A /64 of its own per test (documentation prefix 2001:db8::/32). */
const ipv6Prefix = (): string =>
  `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
const randomKey = (): string => `ccc_${randomBytes(32).toString('base64url')}`;

describe('sign-in resists guessing', () => {
  let t: TestApp;
  let proxied: TestApp;
  let redis: Redis;

  /** The account's current back-off as Redis holds it (ms; ≤ 0 when none): tests wait on it, never on a guess. */
  const backOffMs = (email: string): Promise<number> => redis.pttl(RedisKeys.loginBlock(accountTracker(email)));
  async function waitOutBackOff(email: string): Promise<void> {
    while ((await backOffMs(email)) > 0) await sleep(Math.min(200, Math.max(10, await backOffMs(email))));
  }

  beforeAll(async () => {
    // Production's default: no trusted proxy.
    t = await createTestApp({ LOGIN_BACKOFF_MAX_SECONDS: '3' });
    // Behind a trusted proxy every attempt can come from another address: only a per-account count holds then.
    // Its requests always name a client address of their own: every test file signs in from 127.0.0.1, whose
    // failures this instance's low per-client limit would turn into a back-off of 127.0.0.1 for all of them.
    proxied = await createTestApp({
      TRUST_PROXY: 'loopback',
      LOGIN_BACKOFF_MAX_SECONDS: '3',
      LOGIN_BACKOFF_IP_FREE_ATTEMPTS: '5',
      RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '20',
    });
    redis = new Redis(t.config.redis.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
    await proxied.close();
  });

  it('backs off one account after repeated wrong passwords, each from another address; bounded, and reset by a success', async () => {
    const user = await userWithToken(t, 'viewer');
    let sent = 0;
    // A new client address per attempt, believed (trusted proxy) and under the per-address limit: only the account counts.
    const attempt = (password: string) =>
      proxied.http
        .post('/api/auth/login')
        .set('X-Forwarded-For', `203.0.${Math.floor(sent / 250) % 250}.${(sent++ % 250) + 1}`)
        .send({ email: user.email, password });
    const statuses: number[] = [];
    let limited: { headers: Record<string, string>; body: { code: string } } | undefined;
    for (let i = 0; i < 40; i++) {
      const response = await attempt('wrong-password');
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(limited?.body.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3); // LOGIN_BACKOFF_MAX_SECONDS: a real user is never locked out for long

    // While the account backs off even the right password waits. Make sure a second of back-off is left (another
    // wrong password after one ends starts a longer one), read from Redis rather than guessed from a clock.
    while ((await backOffMs(user.email)) < 1_000) {
      await waitOutBackOff(user.email);
      await attempt('wrong-password').expect(401).expect(errorCode('UNAUTHENTICATED'));
    }
    const waiting = await attempt(TEST_PASSWORD).expect(429);
    expect(waiting.body.code).toBe('RATE_LIMITED');
    await waitOutBackOff(user.email);
    await attempt(TEST_PASSWORD).expect(200);
    // The success cleared the account's count: the next wrong password is a first one again.
    await attempt('wrong-password').expect(401).expect(errorCode('UNAUTHENTICATED'));
    await attempt('wrong-password').expect(401).expect(errorCode('UNAUTHENTICATED'));
    // Other accounts are not affected.
    await proxied.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', clientAddress())
      .send({ email: (await userWithToken(t, 'viewer')).email, password: TEST_PASSWORD })
      .expect(200);
  });

  it('checks at most the free attempts of an account when wrong passwords arrive all at once; the others wait (429)', async () => {
    const user = await userWithToken(t, 'viewer');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        proxied.http
          .post('/api/auth/login')
          .set('X-Forwarded-For', `192.0.2.${i + 1}`)
          .send({ email: user.email, password: `wrong-${i}` }),
      ),
    );
    const counts: Record<number, number> = {};
    for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
    expect(counts).toEqual({ 401: 5, 429: 15 });
    for (const response of responses.filter((r) => r.status === 429)) {
      expect(response.body).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Only checked passwords leave a failed sign-in in the trail: five.
    const rows = (await proxied.app
      .get(DataSource)
      .query(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.login' AND outcome = 'failure' AND target_id = $1`,
        [user.email],
      )) as Array<{ n: number }>;
    expect(rows[0].n).toBe(5);
  });

  it('backs off a stolen token guessing its account’s password through the password change', async () => {
    const user = await userWithToken(t, 'viewer');
    const guess = () =>
      t.http
        .post('/api/auth/password')
        .set(bearer(user.token))
        .send({ currentPassword: 'a-guess-123', newPassword: 'Taken-Over-123' });
    for (let i = 0; i < 5; i++)
      expect((await guess().expect(400)).body.details.fields[0].field).toBe('currentPassword');
    expect((await guess().expect(429)).body.code).toBe('RATE_LIMITED');
    // The sign-in of the same account waits as well: one count per account.
    await t.http
      .post('/api/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD })
      .expect(429)
      .expect(errorCode('RATE_LIMITED'));
  });

  it('backs off one client trying many accounts', async () => {
    const client = clientAddress();
    const attempt = () =>
      proxied.http
        .post('/api/auth/login')
        .set('X-Forwarded-For', client)
        .send({ email: `nobody-${randomUUID()}@test.local`, password: 'wrong-password' });
    for (let i = 0; i < 5; i++) await attempt().expect(401).expect(errorCode('UNAUTHENTICATED'));
    const limited = await attempt().expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another client is not affected.
    await proxied.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', clientAddress())
      .send({ email: 'someone@test.local', password: 'wrong-password' })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
  });

  it('counts an IPv6 client by its /64: new addresses of the same network do not get new attempts', async () => {
    const network = ipv6Prefix();
    const attempt = (address: string) =>
      proxied.http
        .post('/api/auth/login')
        .set('X-Forwarded-For', address)
        .send({ email: `nobody-${randomUUID()}@test.local`, password: 'wrong-password' });
    for (let i = 1; i <= 5; i++)
      await attempt(`${network}:${i.toString(16)}::${i}`)
        .expect(401)
        .expect(errorCode('UNAUTHENTICATED'));
    const limited = await attempt(`${network}:ffff:ffff:ffff:ffff`).expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    // The next /64 is another client.
    await attempt(`${ipv6Prefix()}::1`).expect(401).expect(errorCode('UNAUTHENTICATED'));
  });

  it('believes X-Forwarded-For only from a configured proxy (TRUST_PROXY, none by default)', async () => {
    const email = `xff-${randomUUID().slice(0, 8)}@test.local`;
    await t.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', '192.0.2.77')
      .send({ email, password: 'wrong-password' })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    await proxied.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', '192.0.2.78')
      .send({ email, password: 'wrong-password' })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    // The address each instance took for the client, as its audit trail recorded it.
    const rows: Array<{ ip: string }> = await t.app
      .get(DataSource)
      .query(`SELECT ip FROM audit_log WHERE action = 'auth.login' AND target_id = $1 ORDER BY id`, [email]);
    expect(rows.map((row) => row.ip)).toEqual([expect.stringMatching(/127\.0\.0\.1|::1/), '192.0.2.78']);
  });
});

describe('the budget for bad credentials, before any lookup', () => {
  let database: { url: string; drop(): Promise<void> };
  let stats: pg.Client;

  beforeAll(async () => {
    // A database of its own: the test counts the scans of its api_key table.
    database = await createScratchDatabase('ccc_lookups');
    stats = new pg.Client({ connectionString: database.url });
    await stats.connect();
  });
  afterAll(async () => {
    await stats?.end();
    await database?.drop();
  });

  /**
   * Scans of api_key so far. A backend reports its table statistics when it ends, so this is read once every other
   * connection to the database has closed (the service's pools close with the app), and when two reads agree.
   */
  async function apiKeyScans(): Promise<number> {
    const read = async (): Promise<number> => {
      await stats.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await stats.query<{ scans: string }>(
        `SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS scans FROM pg_stat_user_tables WHERE relname = 'api_key'`,
      );
      return Number(rows[0]?.scans ?? 0); // no table before the first start's migrations
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await stats.query<{ others: number }>(
        `SELECT count(*)::int AS others FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      if (rows[0].others === 0) break;
      if (Date.now() > deadline) throw new Error('connections to the test database stayed open after the app closed');
      await sleep(50);
    }
    let last = await read();
    for (;;) {
      if (Date.now() > deadline) throw new Error('the table statistics did not settle');
      await sleep(200);
      const now = await read();
      if (now === last) return now;
      last = now;
    }
  }

  it('answers 2,000 random API keys from one client with 429 after its budget and looks up only those within it; known keys keep working', async () => {
    // A window far longer than the test takes on a loaded machine: the budget is not renewed half-way.
    const env = {
      DATABASE_URL: database.url,
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '20',
      RATE_LIMIT_UNAUTHENTICATED_WINDOW_SECONDS: '3600',
    };
    const run = async (requests: (app: TestApp) => Promise<void>): Promise<number> => {
      const before = await apiKeyScans();
      const app = await createTestApp(env);
      try {
        await requests(app);
      } finally {
        await app.close();
      }
      return (await apiKeyScans()) - before;
    };
    let key!: CreatedApiKey;
    await run(async (app) => {
      const admin = await userWithToken(app, 'admin');
      key = (
        await app.http
          .post('/api/admin/api-keys')
          .set(bearer(admin.token))
          .send({ name: 'busy-service', permissions: ['analytics:read'] })
          .expect(201)
      ).body;
    });
    const client = clientAddress();
    const me = (app: TestApp) =>
      app.http.get('/api/auth/me').set('X-Forwarded-For', client).set('X-API-Key', key.key).expect(200);
    // What one known key costs a fresh process (looked up once, its last use recorded): measured, not assumed.
    const known = await run(async (app) => {
      await me(app);
    });

    const counts = { 401: 0, 429: 0 } as Record<number, number>;
    let retryAfter: string | undefined;
    const scans = await run(async (app) => {
      await me(app);
      for (let i = 0; i < 2_000; i++) {
        const response = await app.http
          .get('/api/admin/datasources')
          .set('X-Forwarded-For', client)
          .set('X-API-Key', randomKey());
        counts[response.status] = (counts[response.status] ?? 0) + 1;
        retryAfter ??= response.headers['retry-after'];
      }
      // Missing credentials count too, and a key this process already knows is still served from memory.
      const missing = await app.http.get('/api/admin/datasources').set('X-Forwarded-For', client).expect(429);
      expect(missing.body).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
      await me(app);
      // Other clients are unaffected.
      await app.http
        .get('/api/admin/datasources')
        .set('X-Forwarded-For', clientAddress())
        .set('X-API-Key', randomKey())
        .expect(401)
        .expect(errorCode('UNAUTHENTICATED'));
    });
    expect(counts).toEqual({ 401: 20, 429: 1_980 });
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // The database saw the 20 random keys within the budget — plus the one that used it up (counted after its lookup)
    // — and the other client's key; never the 1,979 refused before a lookup. And the known key: once, and once more
    // when the run outlasted the credential cache (5 s) — then it is read again, without asking the client's budget.
    const randomKeyLookups = 20 + 1 + 1;
    expect(scans).toBeGreaterThanOrEqual(known + randomKeyLookups);
    expect(scans).toBeLessThanOrEqual(2 * known + randomKeyLookups);
  });
});

describe('password hashing at the OWASP cost', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ SCRYPT_COST: '17' });
  });
  afterAll(() => t.close());

  it('upgrades an older, cheaper hash when its user signs in', async () => {
    const email = `old-hash-${randomUUID().slice(0, 8)}@test.local`;
    const users = t.app.get(DataSource).getRepository(AppUserEntity);
    const oldHash = await new PasswordHasher(14).hash(TEST_PASSWORD);
    const { id } = await users.save(users.create({ email, role: 'viewer', passwordHash: oldHash }));

    await t.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
    const upgraded = (await users.findOneByOrFail({ id })).passwordHash!;
    expect(oldHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    // The same password still signs in, now against the new hash; a wrong one still fails.
    await t.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
    await t.http
      .post('/api/auth/login')
      .send({ email, password: 'not-the-password' })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    expect((await users.findOneByOrFail({ id })).passwordHash).toBe(upgraded);
    // New accounts get the OWASP cost directly.
    const created = await t.app
      .get(UsersService)
      .create({ email: `new-${email}`, password: TEST_PASSWORD, role: 'viewer' });
    expect((await users.findOneByOrFail({ id: created.id })).passwordHash).toMatch(/^scrypt\$131072\$/);
  });

  it('lets a bounded number of sign-ins wait for a password check and answers the others 503 SERVICE_BUSY with Retry-After', async () => {
    const busy = await createTestApp({
      SCRYPT_COST: '17',
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_MAX_WAITING: '2',
      TRUST_PROXY: 'loopback',
    });
    try {
      // Unknown e-mails are hashed too (timing parity), through the same bounded queue.
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          busy.http
            .post('/api/auth/login')
            .set('X-Forwarded-For', `198.18.0.${i + 1}`)
            .send({ email: `nobody-${randomUUID()}@test.local`, password: 'wrong-password' }),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status !== 401 && status !== 503)).toEqual([]);
      expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(3); // one checking, two waiting
      const shed = responses.filter((response) => response.status === 503);
      expect(shed.length).toBeGreaterThan(0);
      for (const response of shed) {
        expect(response.body).toMatchObject({ code: 'SERVICE_BUSY', details: { retryAfterSeconds: 1 } });
        expect(response.headers['retry-after']).toBe('1');
      }
    } finally {
      await busy.close();
    }
  });
});
