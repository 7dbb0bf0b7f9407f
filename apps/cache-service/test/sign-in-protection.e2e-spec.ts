import { randomBytes, randomUUID } from 'node:crypto';
import type { CreatedApiKey } from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { PasswordHasher } from '../src/auth/password.js';
import { AppUserEntity } from '../src/users/app-user.entity.js';
import { UsersService } from '../src/users/users.service.js';
import { bearer, createTestApp, TEST_PASSWORD, userWithToken, type TestApp } from './support/test-app.js';

/** A client address of its own per test (through a trusted loopback proxy), so no other test file's traffic counts. */
const clientAddress = (): string => `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
const randomKey = (): string => `ccc_${randomBytes(32).toString('base64url')}`;

describe('sign-in resists guessing', () => {
  let t: TestApp;
  let proxied: TestApp;

  beforeAll(async () => {
    // Production's default: no trusted proxy. A short longest delay keeps the wait for the block's end short.
    t = await createTestApp({ LOGIN_BACKOFF_MAX_SECONDS: '2' });
    proxied = await createTestApp({ TRUST_PROXY: 'loopback', LOGIN_BACKOFF_IP_FREE_ATTEMPTS: '5', RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '20' });
  });
  afterAll(async () => {
    await t.close();
    await proxied.close();
  });

  it('backs off one account after repeated wrong passwords, whatever X-Forwarded-For says; bounded, and reset by a success', async () => {
    const user = await userWithToken(t, 'viewer');
    const attempt = (password: string, i: number) =>
      t.http.post('/api/auth/login').set('X-Forwarded-For', `203.0.113.${i % 250}`).send({ email: user.email, password });
    const statuses: number[] = [];
    let limited: { headers: Record<string, string>; body: { code: string } } | undefined;
    for (let i = 0; i < 40; i++) {
      const response = await attempt('wrong-password', i);
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(limited?.body.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2); // LOGIN_BACKOFF_MAX_SECONDS: a real user is never locked out for long

    // While the account backs off even the right password waits; after the delay it works and clears the count.
    for (let i = 0; i < 10; i++) {
      const response = await attempt('wrong-password', i);
      if (response.status === 429 && response.headers['retry-after'] === '2') break; // more than a second of block left
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    await t.http.post('/api/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(429);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await t.http.post('/api/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    await attempt('wrong-password', 0).expect(401);
    // Other accounts are not affected.
    await t.http.post('/api/auth/login').send({ email: (await userWithToken(t, 'viewer')).email, password: TEST_PASSWORD }).expect(200);
  });

  it('backs off a stolen token guessing its account’s password through the password change', async () => {
    const user = await userWithToken(t, 'viewer');
    const guess = () => t.http.post('/api/auth/password').set(bearer(user.token)).send({ currentPassword: 'a-guess-123', newPassword: 'Taken-Over-123' });
    for (let i = 0; i < 5; i++) expect((await guess().expect(400)).body.details.fields[0].field).toBe('currentPassword');
    expect((await guess().expect(429)).body.code).toBe('RATE_LIMITED');
    // The sign-in of the same account waits as well: one count per account.
    await t.http.post('/api/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(429);
  });

  it('backs off one client trying many accounts', async () => {
    const client = clientAddress();
    const attempt = () =>
      proxied.http.post('/api/auth/login').set('X-Forwarded-For', client).send({ email: `nobody-${randomUUID()}@test.local`, password: 'wrong-password' });
    for (let i = 0; i < 5; i++) await attempt().expect(401);
    const limited = await attempt().expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another client is not affected.
    await proxied.http.post('/api/auth/login').set('X-Forwarded-For', clientAddress()).send({ email: 'someone@test.local', password: 'wrong-password' }).expect(401);
  });

  it('believes X-Forwarded-For only from a configured proxy (TRUST_PROXY, none by default)', async () => {
    const email = `xff-${randomUUID().slice(0, 8)}@test.local`;
    await t.http.post('/api/auth/login').set('X-Forwarded-For', '192.0.2.77').send({ email, password: 'wrong-password' }).expect(401);
    await proxied.http.post('/api/auth/login').set('X-Forwarded-For', '192.0.2.78').send({ email, password: 'wrong-password' }).expect(401);
    // The address each instance took for the client, as its audit trail recorded it.
    const rows: Array<{ ip: string }> = await t.app.get(DataSource).query(`SELECT ip FROM audit_log WHERE action = 'auth.login' AND target_id = $1 ORDER BY id`, [email]);
    expect(rows.map((row) => row.ip)).toEqual([expect.stringMatching(/127\.0\.0\.1|::1/), '192.0.2.78']);
  });

  it('answers 2,000 random API keys from one client with 429 after its budget, before any lookup; known keys keep working', async () => {
    const admin = await userWithToken(proxied, 'admin');
    const key = (await proxied.http.post('/api/admin/api-keys').set(bearer(admin.token)).send({ name: 'busy-service', permissions: ['analytics:read'] }).expect(201))
      .body as CreatedApiKey;
    const client = clientAddress();
    await proxied.http.get('/api/auth/me').set('X-Forwarded-For', client).set('X-API-Key', key.key).expect(200);

    const counts = { 401: 0, 429: 0 } as Record<number, number>;
    let retryAfter: string | undefined;
    for (let i = 0; i < 2_000; i++) {
      const response = await proxied.http.get('/api/admin/datasources').set('X-Forwarded-For', client).set('X-API-Key', randomKey());
      counts[response.status] = (counts[response.status] ?? 0) + 1;
      retryAfter ??= response.headers['retry-after'];
    }
    // Only the first 20 (RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE) could reach the database; the rest were refused before.
    expect(counts).toEqual({ 401: 20, 429: 1_980 });
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Missing credentials count too, and a key this process already knows is still served from memory.
    const missing = await proxied.http.get('/api/admin/datasources').set('X-Forwarded-For', client).expect(429);
    expect(missing.body.code).toBe('RATE_LIMITED');
    await proxied.http.get('/api/auth/me').set('X-Forwarded-For', client).set('X-API-Key', key.key).expect(200);
    // Other clients are unaffected.
    await proxied.http.get('/api/admin/datasources').set('X-Forwarded-For', clientAddress()).set('X-API-Key', randomKey()).expect(401);
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
    await t.http.post('/api/auth/login').send({ email, password: 'not-the-password' }).expect(401);
    expect((await users.findOneByOrFail({ id })).passwordHash).toBe(upgraded);
    // New accounts get the OWASP cost directly.
    const created = await t.app.get(UsersService).create({ email: `new-${email}`, password: TEST_PASSWORD, role: 'viewer' });
    expect((await users.findOneByOrFail({ id: created.id })).passwordHash).toMatch(/^scrypt\$131072\$/);
  });
});
