import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('has working defaults for a local machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      role: 'all',
      redis: { url: 'redis://127.0.0.1:6379', clusterNodes: null },
      database: { url: 'postgres://postgres@127.0.0.1:5432/ccc' },
      rateLimits: { warmingPerHour: 10, invalidationPerHour: 20, classWindowSeconds: 3600 },
      admin: null,
    });
    expect(config.auth.jwtSecretEphemeral).toBe(true);
  });

  it('lists every bad variable at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ PORT: '0', SERVICE_ROLE: 'boss', REDIS_URL: 'nope', DATABASE_URL: 'mysql://x/y', ADMIN_EMAIL: 'a@b.c', SEED_DEMO: 'maybe', JWT_SECRET: 'short' });
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

  it('accepts LOG_LEVEL=info, as docker-compose.yml sets it, as Nest\'s log level', () => {
    expect(loadConfig({ LOG_LEVEL: 'info' }).logLevel).toBe('log');
    expect(() => loadConfig({ LOG_LEVEL: 'chatty' })).toThrow(/LOG_LEVEL must be one of error, warn, info, log, debug, verbose/);
  });
});
