import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { PasswordHasher } from './users/password.js';
import { ConfigError, getConfig } from './config/app-config.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { runMigrations } from './database/migrate.js';
import { DEMO_SCHEMA } from './demo/demo-datasets.js';
import { DemoSeedService } from './demo/demo-seed.service.js';
import { AppUserEntity } from './users/app-user.entity.js';
import { UsersService } from './users/users.service.js';
import { preflight } from './preflight.js';

const USAGE = `usage: node dist/cli.js <command>
  migrate                      apply pending database migrations
  migrate:down                 revert the last migration
  seed-demo                    create the demo datasources (idempotent; DEMO_SCALE shrinks them)
  create-admin <email> <password>   create an admin account if the email is not taken`;

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (!command || !['migrate', 'migrate:down', 'seed-demo', 'create-admin'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const config = getConfig();
  const problems = await preflight(config);
  if (problems.length > 0) throw new Error(problems.join(' '));
  const db = await new DataSource(dataSourceOptions(config)).initialize();
  try {
    if (command === 'migrate') {
      const applied = await runMigrations(db);
      console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date');
    } else if (command === 'migrate:down') {
      await db.undoLastMigration({ transaction: 'each' });
      console.log('Reverted the last migration');
    } else if (command === 'seed-demo') {
      // The same rule as SEED_DEMO=true: demo datasources the service may not read would only answer 403.
      if (!config.sources.schemas.includes(DEMO_SCHEMA))
        throw new Error(`seed-demo needs ${DEMO_SCHEMA} in SOURCE_SCHEMAS (the demo tables live there)`);
      await runMigrations(db);
      const result = await new DemoSeedService(db).seed(config.demo.scale);
      for (const ds of result.datasources)
        console.log(`${ds.name}: ${ds.rows} rows${ds.created ? ' (registered)' : ''}`);
    } else if (command === 'create-admin') {
      const [email, password] = args;
      if (!email || !password || password.length < 10)
        throw new Error('create-admin needs <email> and a <password> of at least 10 characters');
      await runMigrations(db);
      await new UsersService(db.getRepository(AppUserEntity), new PasswordHasher(config.auth.scryptCost)).ensureAdmin(
        email.toLowerCase(),
        password,
      );
      console.log(`Admin ${email.toLowerCase()} is present`);
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : (error as Error).message;
  process.stderr.write(`cache-service cli: ${message}\n`);
  process.exit(1);
});
