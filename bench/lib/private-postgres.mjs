// A throw-away PostgreSQL cluster for a bench section (initdb + pg_ctl on a free port, data in a temp directory), with
// server settings the machine's own server may lack (wal_level=logical for change data capture). Never touches the
// machine's server. The same steps as apps/cache-service/test/support/postgres-server.ts.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
/** PostgreSQL refuses to run as root: as root, the cluster belongs to (and runs as) this account. */
const RUN_AS = 'postgres';

export const LOGICAL_REPLICATION = { wal_level: 'logical', max_replication_slots: '10', max_wal_senders: '10' };

export function privatePostgresAvailable() {
  return existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'));
}

/** Starts a cluster on `port` with `settings`, creates database `ccc`; resolves to { url, destroy() }. */
export async function startPrivatePostgres(port, settings = {}) {
  const dir = mkdtempSync('/tmp/ccc-bench-pg-');
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const run = (command, args) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', RUN_AS, '--', join(BIN, command), ...args]]
      : [join(BIN, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stdout}${result.stderr}`);
  };
  if (asRoot) {
    const id = (flag) => Number(spawnSync('id', [flag, RUN_AS], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  chmodSync(dir, 0o700);
  const destroy = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    } catch {
      // Not running.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-U', 'app', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const extra = Object.entries(settings)
      .map(([name, value]) => ` -c ${name}=${value}`)
      .join('');
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off${extra}`;
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
    const admin = new pg.Client({ connectionString: `postgres://app@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE ccc');
    } finally {
      await admin.end();
    }
  } catch (error) {
    destroy();
    throw error;
  }
  return { url: `postgres://app@127.0.0.1:${port}/ccc`, destroy };
}
