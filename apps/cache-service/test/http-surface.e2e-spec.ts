import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTestApp, errorCode, type TestApp } from './support/test-app.js';

/**
 * What the HTTP platform answers outside any operation, as it did on Express: the dashboard's files and its
 * client-side routes, never in place of the API's own 404; paths in any letter case; malformed paths and bodies
 * the API cannot read, with the error body and the headers of every other answer.
 */
describe('the HTTP surface', () => {
  let t: TestApp;
  let dashboardDir: string;

  beforeAll(async () => {
    dashboardDir = mkdtempSync(join(tmpdir(), 'ccc-dashboard-'));
    mkdirSync(join(dashboardDir, 'assets'));
    writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>CCC</title>');
    writeFileSync(join(dashboardDir, 'assets', 'app-1a2b.js'), 'console.log(1);');
    t = await createTestApp({ DASHBOARD_DIR: dashboardDir });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('serves the dashboard: assets cached for an hour, index.html for every client-side route and always revalidated', async () => {
    const asset = await t.http.get('/assets/app-1a2b.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=3600');
    expect(asset.text).toBe('console.log(1);');
    for (const path of ['/', '/index.html', '/datasources/3', '/assets/missing.js']) {
      const page = await t.http.get(path).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.text).toContain('<title>CCC</title>');
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      expect(page.headers['x-correlation-id']).toBeTruthy();
    }
  });

  it('never answers the API, health, metrics or queue board paths with the dashboard', async () => {
    await t.http.get('/api/no-such-operation').expect(404).expect(errorCode('NOT_FOUND'));
    await t.http.get('/health/nothing').expect(404).expect(errorCode('NOT_FOUND'));
    await t.http.get('/admin/queues/anything').expect(401).expect(errorCode('UNAUTHENTICATED'));
    await t.http.post('/datasources/3').send({}).expect(404).expect(errorCode('NOT_FOUND'));
  });

  it('matches paths without regard to letter case or a trailing slash, guards included', async () => {
    await t.http.get('/API/auth/me').expect(401).expect(errorCode('UNAUTHENTICATED'));
    await t.http.get('/api/auth/me/').expect(401).expect(errorCode('UNAUTHENTICATED'));
    await t.http.get('/ADMIN/Queues').expect(401).expect(errorCode('UNAUTHENTICATED'));
  });

  it('answers a malformed path, an over-large, non-UTF-8 body or one in an unknown encoding with the usual error body and headers', async () => {
    const malformed = await t.http.get('/api/users/%E0%A4%A').expect(400).expect(errorCode('VALIDATION_FAILED'));
    expect(malformed.body.details).toEqual({ fields: [{ field: 'path', messages: [expect.any(String)] }] });
    expect(malformed.headers['x-correlation-id']).toBe(malformed.body.correlationId);
    expect(malformed.headers['x-content-type-options']).toBe('nosniff');

    const login = () => t.http.post('/api/auth/login').set('Content-Type', 'application/json');
    await login()
      .send(`{"email":"${'x'.repeat(1024 * 1024)}"}`)
      .expect(413)
      .expect(errorCode('PAYLOAD_TOO_LARGE'));
    await login()
      .set('Content-Encoding', 'compress')
      .send('{}')
      .expect(415)
      .expect(errorCode('UNSUPPORTED_MEDIA_TYPE'));
    // As body-parser did: a gzip body is inflated and read like any other (here: credentials that are wrong). Its
    // bytes are sent as they are (supertest would serialise a JSON-typed Buffer as JSON).
    await login()
      .set('Content-Encoding', 'gzip')
      .serialize((bytes: unknown) => bytes as string)
      .send(gzipSync(JSON.stringify({ email: 'nobody@test.local', password: 'Wrong-Password-1' })))
      .expect(401)
      .expect(errorCode('UNAUTHENTICATED'));
    await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{}')
      .expect(415)
      .expect(errorCode('UNSUPPORTED_MEDIA_TYPE'));
    const scalar = await login().send('"a string"').expect(400).expect(errorCode('INVALID_JSON'));
    expect(scalar.body.details).toEqual({ position: 0 });
  });
});
