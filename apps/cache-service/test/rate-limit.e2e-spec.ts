import { Controller, HttpCode, Post } from '@nestjs/common';
import { RequirePermissions } from '../src/access/auth.decorators.js';
import { RateLimited } from '../src/common/rate-limit.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

// Stand-ins for the warming and invalidation routes, carrying the same rate-limit classes.
@Controller('test-only')
class RateLimitedController {
  @Post('warm-a')
  @HttpCode(202)
  @RequirePermissions('settings:write:all')
  @RateLimited('warming')
  warmA(): { ok: true } {
    return { ok: true };
  }

  @Post('warm-b')
  @HttpCode(202)
  @RequirePermissions('settings:write:all')
  @RateLimited('warming')
  warmB(): { ok: true } {
    return { ok: true };
  }

  @Post('invalidate')
  @HttpCode(202)
  @RequirePermissions('settings:write:all')
  @RateLimited('invalidation')
  invalidate(): { ok: true } {
    return { ok: true };
  }
}

describe('rate limits', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    // Production values (10 warms and 20 invalidations per hour); two app instances stand for two processes.
    first = await createTestApp({}, { controllers: [RateLimitedController] });
    second = await createTestApp({}, { controllers: [RateLimitedController] });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('answers the 11th warm-class request of a user within the hour with 429 and Retry-After, across processes and routes', async () => {
    const user = await userWithToken(first, 'operator');
    for (let i = 0; i < 10; i++) {
      const app = i % 2 === 0 ? first : second;
      await app.http
        .post(i % 3 === 0 ? '/api/test-only/warm-a' : '/api/test-only/warm-b')
        .set(bearer(user.token))
        .expect(202);
    }
    const limited = await second.http.post('/api/test-only/warm-a').set(bearer(user.token)).expect(429);
    const retryAfter = Number(limited.headers['retry-after']);
    // The same 429 as every other limit of the service: the wait in the body too, equal to the header.
    expect(limited.body).toMatchObject({
      code: 'RATE_LIMITED',
      details: { retryAfterSeconds: retryAfter },
      correlationId: expect.any(String),
    });
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);

    // Another user has a budget of their own, and the invalidation class is separate.
    const other = await userWithToken(first, 'operator');
    await first.http.post('/api/test-only/warm-a').set(bearer(other.token)).expect(202);
    await first.http.post('/api/test-only/invalidate').set(bearer(user.token)).expect(202);
  });

  it('allows 20 invalidations per hour per user', async () => {
    const user = await userWithToken(first, 'operator');
    for (let i = 0; i < 20; i++) await first.http.post('/api/test-only/invalidate').set(bearer(user.token)).expect(202);
    const limited = await first.http
      .post('/api/test-only/invalidate')
      .set(bearer(user.token))
      .expect(429)
      .expect(errorCode('RATE_LIMITED'));
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('limits login attempts per client', async () => {
    const app = await createTestApp({ RATE_LIMIT_LOGIN_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
    try {
      // A client address of its own (trusted from the loopback proxy), so other test files' logins do not count.
      const client = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
      const attempt = () =>
        app.http
          .post('/api/auth/login')
          .set('X-Forwarded-For', client)
          .send({ email: 'someone@example.com', password: 'wrong-password' });
      for (let i = 0; i < 3; i++) await attempt().expect(401).expect(errorCode('UNAUTHENTICATED'));
      const limited = await attempt().expect(429);
      expect(limited.body).toMatchObject({
        code: 'RATE_LIMITED',
        details: { retryAfterSeconds: Number(limited.headers['retry-after']) },
      });
    } finally {
      await app.close();
    }
  });
});
