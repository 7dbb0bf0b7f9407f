import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createScratchDatabase } from './support/scratch-database.js';
import { freePort } from './support/redis-server.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

const REPO = join(__dirname, '..', '..', '..');
const MAIN = join(__dirname, '..', 'dist', 'main.js');
const START = join(REPO, 'scripts', 'start.mjs');

/** Runs a built entry point until it ends by itself; resolves with its exit code and what it printed. */
function run(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the service first (npm run build)`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

const strongSecret = (): string => randomBytes(32).toString('hex');

describe('production refuses unsafe configuration at start-up', () => {
  it('refuses the placeholder JWT secret docker-compose used to ship, and a repeated one, naming the variable', async () => {
    for (const [secret, expected] of [
      ['CHANGE-ME-to-a-random-secret-of-at-least-32-characters', 'JWT_SECRET looks like a placeholder'],
      ['a'.repeat(48), 'JWT_SECRET is a repeated pattern'],
    ]) {
      const result = await run(MAIN, [], {
        NODE_ENV: 'production',
        JWT_SECRET: secret,
        REDIS_URL: process.env.REDIS_URL!,
        DATABASE_URL: process.env.DATABASE_URL!,
      });
      expect(result.code).toBe(1);
      expect(result.output).toContain(expected);
      expect(result.output.trim().split('\n')).toHaveLength(1);
    }
  }, 120_000);

  it('refuses the weak database password compose passes as PGPASSWORD and TRUST_PROXY=true, naming both in one line', async () => {
    const result = await run(MAIN, [], {
      NODE_ENV: 'production',
      JWT_SECRET: strongSecret(),
      REDIS_URL: process.env.REDIS_URL!,
      DATABASE_URL: process.env.DATABASE_URL!,
      PGPASSWORD: 'postgres',
      TRUST_PROXY: 'true',
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/PGPASSWORD is weak/);
    expect(result.output).toMatch(/TRUST_PROXY=true .*list the proxy addresses or subnets/);
    expect(result.output.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  describe('on an empty database', () => {
    let database: { url: string; drop(): Promise<void> };
    beforeAll(async () => {
      database = await createScratchDatabase('ccc_prod');
    });
    afterAll(() => database.drop());

    it('says how to create the first admin instead of starting a service nobody can administer — also through npm start', async () => {
      const env = {
        NODE_ENV: 'production',
        JWT_SECRET: strongSecret(),
        REDIS_URL: process.env.REDIS_URL!,
        DATABASE_URL: database.url,
        PORT: String(await freePort()),
      };
      const direct = await run(MAIN, [], env);
      expect(direct.code).toBe(1);
      expect(direct.output).toContain('no active admin exists: set ADMIN_EMAIL and ADMIN_PASSWORD');

      const started = await run(START, ['--no-build'], env);
      expect(started.code).toBe(1);
      expect(started.output).toContain('no active admin exists: set ADMIN_EMAIL and ADMIN_PASSWORD');
      // npm start no longer invents an admin email it then cannot use.
      expect(started.output).not.toContain('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');

      const emailOnly = await run(START, ['--no-build'], { ...env, ADMIN_EMAIL: 'root@example.com' });
      expect(emailOnly.code).toBe(1);
      expect(emailOnly.output).toContain(
        'ADMIN_PASSWORD is not: NODE_ENV=production never uses the development default password',
      );
    }, 180_000);
  });
});

describe('Swagger UI and /metrics switches', () => {
  const apps: TestApp[] = [];
  const app = async (env: Record<string, string>): Promise<TestApp> => {
    const t = await createTestApp(env);
    apps.push(t);
    return t;
  };
  afterAll(async () => {
    for (const t of apps) await t.close();
  });

  it('API_DOCS=off serves neither the UI nor the OpenAPI document', async () => {
    const t = await app({ API_DOCS: 'off' });
    const token = (await userWithToken(t, 'admin')).token;
    for (const path of ['/api/docs', '/api/docs-json'])
      await t.http.get(path).set(bearer(token)).expect(404).expect(errorCode('NOT_FOUND'));
  });

  it('API_DOCS=authenticated serves them only with a credential', async () => {
    const t = await app({ API_DOCS: 'authenticated' });
    for (const path of ['/api/docs', '/api/docs/', '/api/docs-json']) {
      const refused = await t.http.get(path).expect(401);
      expect(refused.body.code).toBe('UNAUTHENTICATED');
    }
    const token = (await userWithToken(t, 'viewer')).token;
    const doc = await t.http.get('/api/docs-json').set(bearer(token)).expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    await t.http.get('/api/docs/').set(bearer(token)).expect(200);
  });

  it('METRICS_TOKEN protects /metrics; METRICS=off turns it off; health stays public', async () => {
    const token = strongSecret();
    const guarded = await app({ METRICS_TOKEN: token });
    const refused = await guarded.http.get('/metrics').expect(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');
    await guarded.http.get('/metrics').set(bearer('not-the-token')).expect(401).expect(errorCode('UNAUTHENTICATED'));
    expect((await guarded.http.get('/metrics').set(bearer(token)).expect(200)).text).toContain('# TYPE');
    await guarded.http.get('/health/live').expect(200);

    const off = await app({ METRICS: 'off' });
    expect((await off.http.get('/metrics').expect(404)).body.code).toBe('NOT_FOUND');
  });
});
