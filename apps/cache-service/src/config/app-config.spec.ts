import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('has working defaults for a local machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      role: 'all',
      redis: { url: 'redis://127.0.0.1:6379', clusterNodes: null, commandTimeoutMs: 10_000 },
      database: { url: 'postgres://postgres@127.0.0.1:5432/ccc' },
      rateLimits: { warmingPerHour: 10, invalidationPerHour: 20, classWindowSeconds: 3600 },
      admin: null,
    });
    expect(config.auth.jwtSecretEphemeral).toBe(true);
  });

  it('retains a replaced generation for an hour by default; 0 deletes it after the grace period', () => {
    expect(loadConfig({}).warming.generationRetentionSeconds).toBe(3_600);
    expect(loadConfig({ GENERATION_RETENTION_SECONDS: '0' }).warming.generationRetentionSeconds).toBe(0);
    expect(() => loadConfig({ GENERATION_RETENTION_SECONDS: '-1' })).toThrow(/GENERATION_RETENTION_SECONDS must be/);
    expect(() => loadConfig({ GENERATION_RETENTION_SECONDS: '1', CACHE_GC_GRACE_MS: '5000' })).toThrow(
      /GENERATION_RETENTION_SECONDS must be 0 or at least CACHE_GC_GRACE_MS/,
    );
  });

  it('lists every bad variable at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        PORT: '0',
        SERVICE_ROLE: 'boss',
        REDIS_URL: 'nope',
        DATABASE_URL: 'mysql://x/y',
        ADMIN_EMAIL: 'a@b.c',
        SEED_DEMO: 'maybe',
        JWT_SECRET: 'short',
      });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(7);
    expect(error!.message).toMatch(/PORT.*SERVICE_ROLE|SERVICE_ROLE.*PORT/);
  });

  it('requires a JWT secret in production and reads cluster nodes and the first admin', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
    const config = loadConfig({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001',
      ADMIN_EMAIL: 'Root@Example.com',
      ADMIN_PASSWORD: 'long-enough-password',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    expect(config.admin).toEqual({ email: 'root@example.com', password: 'long-enough-password' });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it("reads sources from the demo schema through DATABASE_URL by default, and refuses PostgreSQL's own schemas", () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db/ccc' }).sources).toEqual({
      schemas: ['demo_analytics'],
      databaseUrl: 'postgres://app@db/ccc',
      queryPoolSize: 2,
      queryMaxConcurrent: 2,
      queryTimeoutMs: 5000,
    });
    expect(
      loadConfig({ SOURCE_SCHEMAS: ' sales , demo_analytics,sales', SOURCE_DATABASE_URL: 'postgres://reader@db/ccc' })
        .sources,
    ).toMatchObject({
      schemas: ['sales', 'demo_analytics'],
      databaseUrl: 'postgres://reader@db/ccc',
    });
    for (const schema of ['pg_catalog', 'information_schema', 'pg_toast', 'PG_TEMP_3', 'Information_Schema']) {
      expect(() => loadConfig({ SOURCE_SCHEMAS: `demo_analytics,${schema}` })).toThrow(
        /SOURCE_SCHEMAS must not name PostgreSQL's own schemas/,
      );
    }
    expect(() => loadConfig({ SOURCE_SCHEMAS: '"public"' })).toThrow(
      /SOURCE_SCHEMAS entries must be plain schema names/,
    );
    expect(() => loadConfig({ SOURCE_SCHEMAS: 'sales', SEED_DEMO: 'true' })).toThrow(
      /SEED_DEMO=true needs demo_analytics in SOURCE_SCHEMAS/,
    );
  });
});

describe('loadConfig in production', () => {
  const strongSecret = 'f3a9c1d27be84e06a5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f0e1';
  const production = (env: Record<string, string>) =>
    loadConfig({ NODE_ENV: 'production', JWT_SECRET: strongSecret, ...env });
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      production(env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('refuses placeholder, repeated and low-entropy JWT secrets', () => {
    expect(problemsOf({ JWT_SECRET: 'CHANGE-ME-to-a-random-secret-of-at-least-32-characters' })).toEqual([
      expect.stringMatching(/JWT_SECRET looks like a placeholder/),
    ]);
    expect(problemsOf({ JWT_SECRET: 'a'.repeat(64) })).toEqual([
      expect.stringMatching(/JWT_SECRET is a repeated pattern/),
    ]);
    expect(problemsOf({ JWT_SECRET: 'abcd'.repeat(10) })).toEqual([expect.stringMatching(/repeated pattern/)]);
    expect(problemsOf({ JWT_SECRET: 'aabbaabbccddccdd0011001122332233' })).toEqual([
      expect.stringMatching(/too predictable/),
    ]);
    expect(problemsOf({})).toEqual([]);
    // The same weak secret is fine outside production (development, tests).
    expect(() => loadConfig({ JWT_SECRET: 'a'.repeat(64) })).not.toThrow();
  });

  it('says clearly that ADMIN_PASSWORD is missing, and refuses the development default and placeholders', () => {
    expect(problemsOf({ ADMIN_EMAIL: 'admin@example.com' })).toEqual([
      expect.stringMatching(/ADMIN_PASSWORD is required with ADMIN_EMAIL.*never uses a default/),
    ]);
    expect(problemsOf({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'ChangeMe-Admin-1' })).toEqual([
      expect.stringMatching(/development default/),
    ]);
    expect(problemsOf({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'CHANGE-ME-Admin-1' })).toEqual([
      expect.stringMatching(/placeholder/),
    ]);
    expect(problemsOf({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'a-real-pass-phrase-2026' })).toEqual([]);
  });

  it('refuses placeholder passwords in the database and Redis URLs, a cheap scrypt cost and a weak metrics token', () => {
    expect(
      problemsOf({
        DATABASE_URL: 'postgres://ccc:CHANGE-ME-postgres-password@db:5432/ccc',
        REDIS_URL: 'redis://:changeme@redis:6379',
      }),
    ).toEqual([expect.stringMatching(/DATABASE_URL/), expect.stringMatching(/REDIS_URL/)]);
    expect(problemsOf({ SCRYPT_COST: '14' })).toEqual([expect.stringMatching(/SCRYPT_COST must be at least 17/)]);
    expect(problemsOf({ METRICS_TOKEN: 'prometheus' })).toEqual([
      expect.stringMatching(/METRICS_TOKEN must be at least 32/),
    ]);
  });

  it('refuses placeholder and weak database passwords in PGPASSWORD and SOURCE_DATABASE_URL too', () => {
    expect(problemsOf({ PGPASSWORD: 'CHANGE-ME-postgres-password' })).toEqual([
      expect.stringMatching(/PGPASSWORD looks like a placeholder/),
    ]);
    expect(problemsOf({ PGPASSWORD: 'postgres' })).toEqual([
      expect.stringMatching(/PGPASSWORD is weak \(shorter than 16/),
    ]);
    expect(problemsOf({ PGPASSWORD: 'ab12'.repeat(8) })).toEqual([
      expect.stringMatching(/PGPASSWORD is weak \(a repeated pattern/),
    ]);
    expect(problemsOf({ SOURCE_DATABASE_URL: 'postgres://ccc_reader:choose-one@db:5432/ccc' })).toEqual([
      expect.stringMatching(/SOURCE_DATABASE_URL is weak/),
    ]);
    expect(problemsOf({ SOURCE_DATABASE_URL: 'postgres://ccc_reader:replace-me-reader-2026@db:5432/ccc' })).toEqual([
      expect.stringMatching(/SOURCE_DATABASE_URL looks like a placeholder/),
    ]);
    expect(
      problemsOf({
        PGPASSWORD: '3f9a1c0e7b24d58a6e1f0c9b',
        SOURCE_DATABASE_URL: 'postgres://r:7c1e9a0f3b5d2e8a4c6f@db:5432/ccc',
      }),
    ).toEqual([]);
    // Outside production nobody checks (the tests and `npm start` use local trust authentication).
    expect(() => loadConfig({ PGPASSWORD: 'postgres' })).not.toThrow();
  });

  it('refuses TRUST_PROXY=true, saying what to list instead', () => {
    expect(problemsOf({ TRUST_PROXY: 'true' })).toEqual([
      expect.stringMatching(/TRUST_PROXY=true .*list the proxy addresses or subnets .* number of proxy hops/),
    ]);
    expect(production({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(production({ TRUST_PROXY: '10.0.0.0/8' }).http.trustProxy).toEqual(['10.0.0.0/8']);
  });

  it('takes identity-provider keys only over https, and only with the issuer and audience this service expects', () => {
    const provider = {
      JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example/',
      JWT_AUDIENCE: 'ccc',
    };
    expect(problemsOf(provider)).toEqual([]);
    expect(problemsOf({ ...provider, JWT_JWKS_URL: 'http://idp.example/jwks' })).toEqual([
      expect.stringMatching(/JWT_JWKS_URL must use https:/),
    ]);
    expect(problemsOf({ JWT_JWKS_URL: provider.JWT_JWKS_URL })).toEqual([
      expect.stringMatching(/JWT_ISSUER is required with JWT_JWKS_URL/),
      expect.stringMatching(/JWT_AUDIENCE is required with JWT_JWKS_URL/),
    ]);
    expect(production(provider).auth.maxExternalTokenAgeSeconds).toBe(86_400);
    expect(loadConfig({ JWT_JWKS_URL: 'http://127.0.0.1:9999/jwks' }).auth.jwksUrl).toBe('http://127.0.0.1:9999/jwks');
  });

  it('turns Swagger and /metrics off by default, trusts no proxy, hashes at the OWASP cost', () => {
    expect(production({}).http).toEqual({ trustProxy: false, apiDocs: 'off', metrics: 'off', metricsToken: null });
    expect(production({}).auth.scryptCost).toBe(17);
    expect(production({ METRICS_TOKEN: strongSecret, API_DOCS: 'authenticated' }).http).toMatchObject({
      apiDocs: 'authenticated',
      metrics: 'token',
    });
    expect(loadConfig({}).http).toMatchObject({ apiDocs: 'public', metrics: 'public' });
    expect(problemsOf({ METRICS: 'token' })).toEqual([expect.stringMatching(/METRICS=token needs METRICS_TOKEN/)]);
    expect(problemsOf({ API_DOCS: 'private' })).toEqual([
      expect.stringMatching(/API_DOCS must be one of public, authenticated, off/),
    ]);
  });

  it('reads TRUST_PROXY as Express does, and refuses what Express would not understand', () => {
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.168.1.1' }).http.trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.1.1',
    ]);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'none' }).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(() => loadConfig({ TRUST_PROXY: 'my-load-balancer' })).toThrow(/TRUST_PROXY must be/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY must be/);
  });
});

describe('loadConfig log level', () => {
  it("accepts LOG_LEVEL=info, as docker-compose.yml sets it, as Nest's log level", () => {
    expect(loadConfig({ LOG_LEVEL: 'info' }).logLevel).toBe('log');
    expect(() => loadConfig({ LOG_LEVEL: 'chatty' })).toThrow(
      /LOG_LEVEL must be one of error, warn, info, log, debug, verbose/,
    );
  });
});
