import type { CreatedApiKey, LoginResponse, UserSummary } from '@ccc/shared-types';
import { bearer, createTestApp, errorCode, TEST_PASSWORD, userWithToken, type TestApp } from './support/test-app.js';

describe('authentication, users and API keys', () => {
  let t: TestApp;
  let admin: { id: string; email: string; token: string };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await userWithToken(t, 'admin');
  });
  afterAll(() => t.close());

  it('signs in with email and password and returns a bearer token with the user and permissions', async () => {
    const response = await t.http
      .post('/api/auth/login')
      .send({ email: admin.email.toUpperCase(), password: TEST_PASSWORD })
      .expect(200);
    const body = response.body as LoginResponse;
    expect(body.tokenType).toBe('Bearer');
    expect(body.expiresIn).toBe(8 * 3600);
    expect(body.user).toMatchObject({ email: admin.email, role: 'admin', isActive: true });
    expect(body.user.permissions).toEqual(
      expect.arrayContaining(['settings:read:all', 'settings:write:all', 'analytics:read']),
    );
    const me = await t.http.get('/api/auth/me').set(bearer(body.accessToken)).expect(200);
    expect(me.body).toMatchObject({ kind: 'user', id: admin.id, role: 'admin' });
  });

  it('rejects a wrong password and an unknown email with the same 401', async () => {
    const wrong = await t.http
      .post('/api/auth/login')
      .send({ email: admin.email, password: 'not-the-password' })
      .expect(401);
    const unknown = await t.http
      .post('/api/auth/login')
      .send({ email: 'nobody@test.local', password: 'whatever-1234' })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    expect(wrong.body.code).toBe('UNAUTHENTICATED');
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  it('rejects tampered and foreign tokens', async () => {
    const [header, payload] = admin.token.split('.');
    await t.http
      .get('/api/auth/me')
      .set(bearer(`${header}.${payload}.forged-signature`))
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    await t.http.get('/api/auth/me').set(bearer('not-a-jwt')).expect(401).expect(errorCode('UNAUTHENTICATED'));
  });

  it('lets an admin create, disable and reset users; a disabled user can no longer sign in or use a token', async () => {
    const email = `op-${Date.now()}@test.local`;
    const created = await t.http
      .post('/api/admin/users')
      .set(bearer(admin.token))
      .send({ email, password: 'Operator-Pass-1', role: 'operator' })
      .expect(201);
    const user = created.body as UserSummary;
    expect(user).toMatchObject({ email, role: 'operator', isActive: true });
    expect(JSON.stringify(created.body)).not.toContain('Operator-Pass-1');

    await t.http
      .post('/api/admin/users')
      .set(bearer(admin.token))
      .send({ email, password: 'Operator-Pass-1', role: 'operator' })
      .expect(409)
      .expect(errorCode('CONFLICT'));

    const login = await t.http.post('/api/auth/login').send({ email, password: 'Operator-Pass-1' }).expect(200);
    const operatorToken = (login.body as LoginResponse).accessToken;
    await t.http.get('/api/admin/datasources').set(bearer(operatorToken)).expect(200);
    await t.http.get('/api/admin/users').set(bearer(operatorToken)).expect(403).expect(errorCode('FORBIDDEN'));

    await t.http
      .post(`/api/admin/users/${user.id}/password`)
      .set(bearer(admin.token))
      .send({ password: 'Another-Pass-22' })
      .expect(204);
    await t.http
      .post('/api/auth/login')
      .send({ email, password: 'Operator-Pass-1' })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    await t.http.post('/api/auth/login').send({ email, password: 'Another-Pass-22' }).expect(200);

    await t.http.patch(`/api/admin/users/${user.id}`).set(bearer(admin.token)).send({ isActive: false }).expect(200);
    await t.http
      .get('/api/admin/datasources')
      .set(bearer(operatorToken))
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    await t.http
      .post('/api/auth/login')
      .send({ email, password: 'Another-Pass-22' })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));

    const list = await t.http.get('/api/admin/users').set(bearer(admin.token)).expect(200);
    expect((list.body as UserSummary[]).find((u) => u.id === user.id)?.isActive).toBe(false);
    expect((list.body as UserSummary[]).some((u) => u.email === 'system@ccc.local')).toBe(false);
  });

  it('refuses to let an admin disable their own account', async () => {
    const response = await t.http
      .patch(`/api/admin/users/${admin.id}`)
      .set(bearer(admin.token))
      .send({ isActive: false })
      .expect(409);
    expect(response.body.code).toBe('CONFLICT');
  });

  it('creates an API key shown once, authenticates with it by X-API-Key, and stops accepting it when revoked', async () => {
    const created = await t.http
      .post('/api/admin/api-keys')
      .set(bearer(admin.token))
      .send({ name: 'reporting-service', permissions: ['settings:read:all'] })
      .expect(201);
    const key = created.body as CreatedApiKey;
    expect(key.key).toMatch(/^ccc_/);
    expect(key.prefix).toBe(key.key.slice(0, 12));

    const listed = await t.http.get('/api/admin/api-keys').set(bearer(admin.token)).expect(200);
    const summary = (listed.body as CreatedApiKey[]).find((k) => k.id === key.id);
    expect(summary).toBeDefined();
    expect(summary).not.toHaveProperty('key');

    const me = await t.http.get('/api/auth/me').set('X-API-Key', key.key).expect(200);
    expect(me.body).toMatchObject({ kind: 'api_key', name: 'reporting-service', permissions: ['settings:read:all'] });
    await t.http.get('/api/admin/datasources').set('X-API-Key', key.key).expect(200);
    await t.http
      .post('/api/admin/datasources')
      .set('X-API-Key', key.key)
      .send({})
      .expect(403)
      .expect(errorCode('FORBIDDEN'));

    await t.http.delete(`/api/admin/api-keys/${key.id}`).set(bearer(admin.token)).expect(200);
    await t.http.get('/api/auth/me').set('X-API-Key', key.key).expect(401).expect(errorCode('UNAUTHENTICATED'));
    await t.http
      .get('/api/auth/me')
      .set('X-API-Key', 'ccc_made-up-key')
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
  });

  it('validates user and key requests with the field named', async () => {
    const badUser = await t.http
      .post('/api/admin/users')
      .set(bearer(admin.token))
      .send({ email: 'not-an-email', password: 'short', role: 'root' })
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    const fields = (badUser.body.details.fields as Array<{ field: string }>).map((f) => f.field).sort();
    expect(fields).toEqual(['email', 'password', 'role']);
    const badKey = await t.http
      .post('/api/admin/api-keys')
      .set(bearer(admin.token))
      .send({ name: 'x', permissions: ['root:all'] })
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    expect(badKey.body.details.fields[0].field).toBe('permissions');
    await t.http
      .patch('/api/admin/users/not-a-uuid')
      .set(bearer(admin.token))
      .send({})
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    await t.http
      .patch('/api/admin/users/6f1c1f0e-0000-4000-8000-000000000000')
      .set(bearer(admin.token))
      .send({})
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
  });
});
