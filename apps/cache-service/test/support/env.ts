/** The private Redis and database the test command created (see scripts/test.mjs). */
export function testEnv(): { redisUrl: string; databaseUrl: string } {
  const redisUrl = process.env.REDIS_URL;
  const databaseUrl = process.env.DATABASE_URL;
  if (!redisUrl || !databaseUrl) {
    throw new Error(
      'REDIS_URL and DATABASE_URL must point at a private Redis and an empty test database. Run the suite with `npm test` from the repository root, which creates both.',
    );
  }
  return { redisUrl, databaseUrl };
}

/** The server's maintenance database, used to create and drop scratch databases. */
export function adminDatabaseUrl(): string {
  const url = new URL(testEnv().databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}
