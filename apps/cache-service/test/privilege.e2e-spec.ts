import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreatedApiKey, LoginResponse, Permission, UserSummary } from '@ccc/shared-types';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { DataSource } from 'typeorm';
import { KeysWithoutCreator1764300000000 } from '../src/database/migrations/1764300000000-keys-without-creator.js';
import { SYSTEM_USER_ID } from '../src/users/app-user.entity.js';
import { UsersService } from '../src/users/users.service.js';
import { createScratchDatabase } from './support/scratch-database.js';
import { bearer, createTestApp, errorCode, TEST_PASSWORD, userWithToken, type TestApp } from './support/test-app.js';

/** An identity provider: a JWKS URL and tokens signed with its key, carrying whatever permissions a test needs. */
class FakeIdentityProvider {
  private server!: Server;
  private privateKey!: CryptoKey;
  url = '';

  async start(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    this.privateKey = privateKey;
    const jwks = JSON.stringify({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'test-idp', alg: 'RS256', use: 'sig' }],
    });
    this.server = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`;
  }

  /** `issuedAt`: seconds since the epoch, or null for a token without `iat`. */
  token(
    permissions: Permission[],
    subject = `idp|${randomUUID()}`,
    issuedAt: number | null = Math.floor(Date.now() / 1000),
  ): Promise<string> {
    let jwt = new SignJWT({ permissions, email: `${subject}@idp.example` })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-idp' })
      .setSubject(subject);
    if (issuedAt !== null) jwt = jwt.setIssuedAt(issuedAt);
    return jwt.setExpirationTime(Math.floor(Date.now() / 1000) + 600).sign(this.privateKey);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const ALL_KEY_PERMISSIONS: Permission[] = ['settings:read:all', 'settings:write:all', 'analytics:read'];

describe('privilege never grows', () => {
  const idp = new FakeIdentityProvider();
  let t: TestApp;
  let admin: { id: string; email: string; token: string };

  const mintKey = (token: string, permissions: string[]) =>
    t.http
      .post('/api/admin/api-keys')
      .set(bearer(token))
      .send({ name: `key-${randomUUID().slice(0, 8)}`, permissions });

  beforeAll(async () => {
    await idp.start();
    t = await createTestApp({ JWT_JWKS_URL: idp.url, JWT_MAX_TOKEN_AGE_SECONDS: '1800' });
    admin = await userWithToken(t, 'admin');
  });
  afterAll(async () => {
    await t.close();
    await idp.stop();
  });

  it('never mints an API key holding users:manage:all, not even for an admin', async () => {
    for (const permissions of [['users:manage:all'], ['analytics:read', 'users:manage:all']]) {
      const response = await mintKey(admin.token, permissions).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.details.fields[0].field).toBe('permissions');
    }
  });

  it('answers 403 API_KEY_NOT_ALLOWED to an API key on every user and key management route, whatever it holds', async () => {
    const key = (await mintKey(admin.token, ALL_KEY_PERMISSIONS).expect(201)).body as CreatedApiKey;
    const email = `made-by-key-${randomUUID().slice(0, 8)}@test.local`;
    const calls = [
      t.http.get('/api/admin/users'),
      t.http.post('/api/admin/users').send({ email, password: 'Made-By-A-Key-1', role: 'admin' }),
      t.http.patch(`/api/admin/users/${admin.id}`).send({ isActive: false }),
      t.http.post(`/api/admin/users/${admin.id}/password`).send({ password: 'Taken-Over-123' }),
      t.http.get('/api/admin/api-keys'),
      t.http.post('/api/admin/api-keys').send({ name: 'child', permissions: ['analytics:read'] }),
      t.http.delete(`/api/admin/api-keys/${key.id}`),
    ];
    for (const call of calls) {
      const response = await call.set('X-API-Key', key.key).expect(403);
      expect(response.body).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'API_KEY_NOT_ALLOWED' } });
    }
    await t.http
      .post('/api/auth/login')
      .send({ email, password: 'Made-By-A-Key-1' })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    await t.http.get('/api/auth/me').set(bearer(admin.token)).expect(200);
    await t.http.get('/api/auth/me').set('X-API-Key', key.key).expect(200);
  });

  it('mints keys only for users of this service: an identity provider’s user is refused (403 EXTERNAL_NOT_ALLOWED)', async () => {
    // A key answers for its creator's permissions today, which the service knows only for its own accounts.
    const keyCount = async () =>
      ((await t.http.get('/api/admin/api-keys').set(bearer(admin.token)).expect(200)).body as unknown[]).length;
    const before = await keyCount();
    for (const permissions of [['analytics:read'], ALL_KEY_PERMISSIONS]) {
      const external = await idp.token([
        'users:manage:all',
        'settings:read:all',
        'settings:write:all',
        'analytics:read',
      ]);
      const refused = await mintKey(external, permissions).expect(403);
      expect(refused.body).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'EXTERNAL_NOT_ALLOWED' } });
    }
    expect(await keyCount()).toBe(before);
  });

  it('takes back keys nobody answers for: those an API key or a provider’s user minted before that was refused', async () => {
    // Such keys were attributed to the system user and kept every permission they were given; the migration revokes
    // them, and one presented anyway is refused.
    const db = t.app.get(DataSource);
    const plain = randomUUID().replace(/-/g, '');
    const legacy = `ccc_${plain}${plain}`;
    const [row] = (await db.query(
      `INSERT INTO api_key (name, prefix, key_hash, permissions, created_by) VALUES ('minted-by-a-key', $1, $2, $3, $4) RETURNING id`,
      [
        legacy.slice(0, 12),
        createHash('sha256').update(legacy).digest('hex'),
        ['settings:read:all', 'settings:write:all'],
        SYSTEM_USER_ID,
      ],
    )) as Array<{ id: string }>;
    const refused = await t.http.get('/api/admin/datasources').set('X-API-Key', legacy).expect(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');

    const own = (await mintKey(admin.token, ['settings:read:all']).expect(201)).body as CreatedApiKey;
    const runner = db.createQueryRunner();
    try {
      await new KeysWithoutCreator1764300000000().up(runner);
    } finally {
      await runner.release();
    }
    const revoked = (await db.query(`SELECT id, revoked_at FROM api_key WHERE id = ANY($1)`, [
      [row.id, own.id],
    ])) as Array<{ id: string; revoked_at: Date | null }>;
    expect(Object.fromEntries(revoked.map((key) => [key.id, key.revoked_at !== null]))).toEqual({
      [row.id]: true,
      [own.id]: false,
    });
    await t.http.get('/api/admin/datasources').set('X-API-Key', own.key).expect(200);
  });

  it('refuses a provider’s token older than JWT_MAX_TOKEN_AGE_SECONDS, or without iat, whatever its exp', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    await t.http
      .get('/api/auth/me')
      .set(bearer(await idp.token(['settings:read:all'])))
      .expect(200);
    for (const token of [
      await idp.token(['settings:read:all'], undefined, hourAgo),
      await idp.token(['settings:read:all'], undefined, null),
    ]) {
      const refused = await t.http.get('/api/auth/me').set(bearer(token)).expect(401);
      expect(refused.body.code).toBe('UNAUTHENTICATED');
    }
  });

  it('grants, and manages, no role beyond what the actor holds', async () => {
    const limited = await idp.token(['users:manage:all', 'settings:read:all', 'analytics:read']);
    const email = `granted-${randomUUID().slice(0, 8)}@test.local`;
    const tooMuch = await t.http
      .post('/api/admin/users')
      .set(bearer(limited))
      .send({ email, password: TEST_PASSWORD, role: 'operator' })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    expect(tooMuch.body.details).toMatchObject({ reason: 'PERMISSION_NOT_HELD', permissions: ['settings:write:all'] });
    const viewer = (
      await t.http
        .post('/api/admin/users')
        .set(bearer(limited))
        .send({ email, password: TEST_PASSWORD, role: 'viewer' })
        .expect(201)
    ).body as UserSummary;

    await t.http
      .patch(`/api/admin/users/${viewer.id}`)
      .set(bearer(limited))
      .send({ role: 'admin' })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    // Taking over a stronger account is growing privilege too: no password reset, no status change of an admin.
    await t.http
      .post(`/api/admin/users/${admin.id}/password`)
      .set(bearer(limited))
      .send({ password: 'Taken-Over-123' })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    await t.http
      .patch(`/api/admin/users/${admin.id}`)
      .set(bearer(limited))
      .send({ isActive: false })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    await t.http
      .post(`/api/admin/users/${viewer.id}/password`)
      .set(bearer(limited))
      .send({ password: 'Reset-By-Idp-1' })
      .expect(204);
    expect((await t.http.get('/api/admin/users').set(bearer(admin.token)).expect(200)).body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: viewer.id, role: 'viewer' }),
        expect.objectContaining({ id: admin.id, role: 'admin', isActive: true }),
      ]),
    );
  });

  it('lets a key do no more than its creator can today: a demoted creator’s key loses what the new role lacks', async () => {
    const creator = await userWithToken(t, 'admin');
    const key = (await mintKey(creator.token, ['settings:read:all', 'settings:write:all']).expect(201))
      .body as CreatedApiKey;
    await t.http
      .post('/api/admin/datasources')
      .set('X-API-Key', key.key)
      .send({})
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    await t.http.patch(`/api/admin/users/${creator.id}`).set(bearer(admin.token)).send({ role: 'viewer' }).expect(200);
    await t.http.get('/api/admin/datasources').set('X-API-Key', key.key).expect(200);
    const refused = await t.http.post('/api/admin/datasources').set('X-API-Key', key.key).send({}).expect(403);
    expect(refused.body.code).toBe('FORBIDDEN');
  });
});

describe('the last active admin', () => {
  const idp = new FakeIdentityProvider();
  let database: { url: string; drop(): Promise<void> };
  let t: TestApp;

  beforeAll(async () => {
    await idp.start();
    database = await createScratchDatabase('ccc_admins');
    t = await createTestApp({ DATABASE_URL: database.url, JWT_JWKS_URL: idp.url });
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
    await idp.stop();
  });

  const newAdmin = async (): Promise<{ id: string; token: string }> => {
    const email = `admin-${randomUUID().slice(0, 8)}@test.local`;
    const user = await t.app.get(UsersService).create({ email, password: TEST_PASSWORD, role: 'admin' });
    const login = await t.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
    return { id: user.id, token: (login.body as LoginResponse).accessToken };
  };
  const activeAdmins = async (): Promise<number> =>
    Number((await t.app.get(UsersService).list()).filter((user) => user.role === 'admin' && user.isActive).length);

  it('cannot be demoted or disabled (409 LAST_ADMIN), not even by an identity provider’s admin', async () => {
    const only = await newAdmin();
    const external = await idp.token(['settings:read:all', 'settings:write:all', 'analytics:read', 'users:manage:all']);
    for (const change of [{ role: 'operator' }, { isActive: false }]) {
      const response = await t.http.patch(`/api/admin/users/${only.id}`).set(bearer(external)).send(change).expect(409);
      expect(response.body).toMatchObject({ code: 'CONFLICT', details: { reason: 'LAST_ADMIN' } });
    }
    const self = await t.http
      .patch(`/api/admin/users/${only.id}`)
      .set(bearer(only.token))
      .send({ role: 'viewer' })
      .expect(409)
      .expect(errorCode('CONFLICT'));
    expect(self.body.details.reason).toBe('OWN_ACCOUNT');
    expect(await activeAdmins()).toBe(1);
  });

  it('survives two admins demoting each other at the same time: one wins, the other is refused', async () => {
    const existing = (await t.app.get(UsersService).list()).filter((user) => user.role === 'admin' && user.isActive);
    expect(existing).toHaveLength(1);
    const [first, second] = [await newAdmin(), await newAdmin()];
    // Leave exactly these two: the previous test's admin steps down through one of them.
    await t.http
      .patch(`/api/admin/users/${existing[0].id}`)
      .set(bearer(first.token))
      .send({ role: 'viewer' })
      .expect(200);
    expect(await activeAdmins()).toBe(2);

    const results = await Promise.all([
      t.http.patch(`/api/admin/users/${second.id}`).set(bearer(first.token)).send({ role: 'operator' }),
      t.http.patch(`/api/admin/users/${first.id}`).set(bearer(second.token)).send({ isActive: false }),
    ]);
    // Exactly one wins. The loser is refused by the last-admin rule when both run at once, or — when the winner's
    // change landed before the loser was authenticated — its own credential is already taken back (401).
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const loser = results.find((r) => r.status !== 200)!;
    if (loser.status === 409) expect(loser.body.details.reason).toBe('LAST_ADMIN');
    else expect([loser.status, loser.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(await activeAdmins()).toBe(1);
  });
});
