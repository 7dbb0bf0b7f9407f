import type { CreatedApiKey, LoginResponse } from '@ccc/shared-types';
import { SignJWT } from 'jose';
import { ACCOUNT_CACHE_MS } from '../src/auth/auth.service.js';
import { LOCAL_ISSUER } from '../src/auth/token.service.js';
import { DataSource, type EntitySubscriberInterface } from 'typeorm';
import { AppUserEntity } from '../src/users/app-user.entity.js';
import { UsersService } from '../src/users/users.service.js';
import { bearer, createTestApp, errorCode, TEST_PASSWORD, userWithToken, type TestApp } from './support/test-app.js';

/** Credentials can be taken back: every way an account changes ends the tokens issued before it. */
describe('token revocation', () => {
  let t: TestApp;
  let admin: { id: string; email: string; token: string };

  const me = (token: string) => t.http.get('/api/auth/me').set(bearer(token));
  const expectRefused = async (token: string) => {
    const response = await me(token).expect(401);
    expect(response.body.code).toBe('UNAUTHENTICATED');
  };
  const login = async (email: string, password = TEST_PASSWORD): Promise<string> =>
    ((await t.http.post('/api/auth/login').send({ email, password }).expect(200)).body as LoginResponse).accessToken;

  /** A token signed with the service's own secret, with whatever claims the test wants. */
  const forge = (claims: Record<string, unknown>, build: (jwt: SignJWT) => SignJWT) =>
    build(new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt()).sign(
      new TextEncoder().encode(t.config.auth.jwtSecret),
    );

  beforeAll(async () => {
    t = await createTestApp();
    admin = await userWithToken(t, 'admin');
  });
  afterAll(() => t.close());

  it('ends earlier tokens when users change their own password, and answers with a fresh token', async () => {
    const user = await userWithToken(t, 'operator');
    const second = await login(user.email);
    const wrong = await t.http
      .post('/api/auth/password')
      .set(bearer(user.token))
      .send({ currentPassword: 'not-it', newPassword: 'Brand-New-Pass-1' })
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
    expect(wrong.body.details.fields[0].field).toBe('currentPassword');

    const changed = await t.http
      .post('/api/auth/password')
      .set(bearer(user.token))
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'Brand-New-Pass-1' })
      .expect(200);
    await expectRefused(user.token);
    await expectRefused(second);
    await me((changed.body as LoginResponse).accessToken).expect(200);
    await t.http
      .post('/api/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    await login(user.email, 'Brand-New-Pass-1');
  });

  it('ends earlier tokens when an admin resets the password', async () => {
    const user = await userWithToken(t, 'viewer');
    await t.http
      .post(`/api/admin/users/${user.id}/password`)
      .set(bearer(admin.token))
      .send({ password: 'Reset-By-Admin-1' })
      .expect(204);
    await expectRefused(user.token);
    await me(await login(user.email, 'Reset-By-Admin-1')).expect(200);
  });

  it('keeps a token of a disabled account dead after the account is enabled again', async () => {
    const user = await userWithToken(t, 'viewer');
    await t.http.patch(`/api/admin/users/${user.id}`).set(bearer(admin.token)).send({ isActive: false }).expect(200);
    await expectRefused(user.token);
    await t.http.patch(`/api/admin/users/${user.id}`).set(bearer(admin.token)).send({ isActive: true }).expect(200);
    await expectRefused(user.token);
    await me(await login(user.email)).expect(200);
  });

  it('ends earlier tokens on a role change', async () => {
    const user = await userWithToken(t, 'operator');
    await t.http.patch(`/api/admin/users/${user.id}`).set(bearer(admin.token)).send({ role: 'viewer' }).expect(200);
    await expectRefused(user.token);
    const fresh = await login(user.email);
    expect((await me(fresh).expect(200)).body).toMatchObject({ role: 'viewer' });
    // A change of the display name alone is not a reason to sign the user out.
    await t.http
      .patch(`/api/admin/users/${user.id}`)
      .set(bearer(admin.token))
      .send({ displayName: 'Renamed' })
      .expect(200);
    await me(fresh).expect(200);
  });

  it('signs out: logout ends every token of the account, and is audited', async () => {
    const user = await userWithToken(t, 'viewer');
    const otherSession = await login(user.email);
    await t.http.post('/api/auth/logout').set(bearer(user.token)).expect(204);
    await expectRefused(user.token);
    await expectRefused(otherSession);
    await me(await login(user.email)).expect(200);
    const audit = await t.http
      .get('/api/admin/audit')
      .query({ actorId: user.id, action: 'auth.logout' })
      .set(bearer(admin.token))
      .expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ outcome: 'success' })]);
  });

  it('refuses logout and password change to an API key (403 with a reason)', async () => {
    const key = (
      await t.http
        .post('/api/admin/api-keys')
        .set(bearer(admin.token))
        .send({ name: 'no-session', permissions: ['analytics:read'] })
        .expect(201)
    ).body as CreatedApiKey;
    const logout = await t.http.post('/api/auth/logout').set('X-API-Key', key.key).expect(403);
    expect(logout.body).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'NOT_LOCAL_SESSION' } });
    await t.http
      .post('/api/auth/password')
      .set('X-API-Key', key.key)
      .send({ currentPassword: 'x', newPassword: 'Long-Enough-1' })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
  });

  it('refuses a token without exp, even when signed with the service secret', async () => {
    const token = await forge({ email: admin.email, role: 'admin', ver: 0 }, (jwt) =>
      jwt.setSubject(admin.id).setIssuer(LOCAL_ISSUER),
    );
    await expectRefused(token);
    // The same claims with an expiry are accepted, so it is the missing exp that is refused.
    await me(
      await forge({ email: admin.email, role: 'admin', ver: 0 }, (jwt) =>
        jwt.setSubject(admin.id).setIssuer(LOCAL_ISSUER).setExpirationTime('5m'),
      ),
    ).expect(200);
  });

  it('refuses an HS256 token with a foreign issuer, or without one: only JWKS tokens are external', async () => {
    const claims = { email: 'intruder@evil.example', role: 'admin', permissions: ['users:manage:all'], ver: 0 };
    await expectRefused(
      await forge(claims, (jwt) =>
        jwt.setSubject(admin.id).setIssuer('https://idp.evil.example').setExpirationTime('5m'),
      ),
    );
    await expectRefused(await forge(claims, (jwt) => jwt.setSubject('someone-else').setExpirationTime('5m')));
    // A local token must carry the account version it was issued for.
    await expectRefused(
      await forge({ email: admin.email }, (jwt) =>
        jwt.setSubject(admin.id).setIssuer(LOCAL_ISSUER).setExpirationTime('5m'),
      ),
    );
  });

  it('never undoes a password change (and the sign-out it brings) that lands while an admin edits the account', async () => {
    const user = await userWithToken(t, 'viewer');
    const users = t.app.get(UsersService);
    let landed = false;
    // Between the admin's read of the account and its write, the user changes the password: every earlier token ends.
    const meanwhile: EntitySubscriberInterface<AppUserEntity> = {
      listenTo: () => AppUserEntity,
      afterLoad: async (entity) => {
        if (landed || entity.id !== user.id) return;
        landed = true;
        await users.changeOwnPassword(user.id, TEST_PASSWORD, 'Changed-Meanwhile-1');
      },
    };
    const db = t.app.get(DataSource);
    db.subscribers.push(meanwhile);
    try {
      const edited = await t.http
        .patch(`/api/admin/users/${user.id}`)
        .set(bearer(admin.token))
        .send({ displayName: 'Renamed by admin' })
        .expect(200);
      expect(edited.body).toMatchObject({ id: user.id, displayName: 'Renamed by admin' });
    } finally {
      db.subscribers.splice(db.subscribers.indexOf(meanwhile), 1);
    }
    expect(landed).toBe(true);
    await expectRefused(user.token);
    await t.http
      .post('/api/auth/login')
      .send({ email: user.email, password: TEST_PASSWORD })
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    await login(user.email, 'Changed-Meanwhile-1');
  });

  it('stops a revoked API key and the keys of a disabled user at once', async () => {
    const creator = await userWithToken(t, 'admin');
    const create = async (name: string) =>
      (
        await t.http
          .post('/api/admin/api-keys')
          .set(bearer(creator.token))
          .send({ name, permissions: ['settings:read:all'] })
          .expect(201)
      ).body as CreatedApiKey;
    const revoked = await create('to-revoke');
    const orphaned = await create('creator-disabled');
    await t.http.get('/api/admin/datasources').set('X-API-Key', revoked.key).expect(200);
    await t.http.get('/api/admin/datasources').set('X-API-Key', orphaned.key).expect(200);

    await t.http.delete(`/api/admin/api-keys/${revoked.id}`).set(bearer(creator.token)).expect(200);
    await t.http
      .get('/api/admin/datasources')
      .set('X-API-Key', revoked.key)
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));

    await t.http.patch(`/api/admin/users/${creator.id}`).set(bearer(admin.token)).send({ isActive: false }).expect(200);
    await t.http
      .get('/api/admin/datasources')
      .set('X-API-Key', orphaned.key)
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    await t.http.patch(`/api/admin/users/${creator.id}`).set(bearer(admin.token)).send({ isActive: true }).expect(200);
    await t.http.get('/api/admin/datasources').set('X-API-Key', orphaned.key).expect(200);
  });

  it('stops a revoked token on another replica within the account cache time', async () => {
    const other = await createTestApp();
    try {
      const user = await userWithToken(t, 'viewer');
      await other.http.get('/api/auth/me').set(bearer(user.token)).expect(200); // the other replica now knows the account
      await t.http.post('/api/auth/logout').set(bearer(user.token)).expect(204);
      await expectRefused(user.token); // at once where it happened
      const deadline = Date.now() + 3 * ACCOUNT_CACHE_MS;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        status = (await other.http.get('/api/auth/me').set(bearer(user.token))).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status).toBe(401);

      // A token issued after a change is accepted there at once, though what that replica knows of the account is older.
      const second = await login(user.email);
      await other.http.get('/api/auth/me').set(bearer(second)).expect(200);
      await t.http.post('/api/auth/logout').set(bearer(second)).expect(204);
      await other.http
        .get('/api/auth/me')
        .set(bearer(await login(user.email)))
        .expect(200);
      await other.http.get('/api/auth/me').set(bearer(second)).expect(401).expect(errorCode('UNAUTHENTICATED'));
    } finally {
      await other.close();
    }
  });
});
