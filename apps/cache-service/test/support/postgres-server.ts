import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
/** PostgreSQL refuses to run as root: as root, the cluster belongs to (and runs as) this account. */
const RUN_AS = 'postgres';

/**
 * A throw-away PostgreSQL cluster of one test (initdb + pg_ctl on a free port, data in a temp directory), so a test
 * can stop and start PostgreSQL without touching the machine's own server or the other tests' database.
 */
export class PrivatePostgres {
  private readonly dir = mkdtempSync('/tmp/ccc-pg-');
  private readonly data = join(this.dir, 'data');
  private readonly asRoot = userInfo().uid === 0;

  /**
   * `settings`: extra server settings (`-c name=value`), e.g. `{ wal_level: 'logical', max_replication_slots: '10',
   * max_wal_senders: '10' }` for the change-data-capture tests.
   */
  constructor(
    readonly port: number,
    private readonly settings: Record<string, string> = {},
  ) {}

  /** The cluster's logical replication settings (change data capture needs them; the machine's server lacks them). */
  static readonly LOGICAL_REPLICATION: Record<string, string> = {
    wal_level: 'logical',
    max_replication_slots: '10',
    max_wal_senders: '10',
  };

  static available(): boolean {
    return existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'));
  }

  /** URL of a database of this cluster (trust authentication on loopback: no password). */
  url(database = 'ccc'): string {
    return `postgres://app@127.0.0.1:${this.port}/${database}`;
  }

  private run(command: string, args: string[]): void {
    const [file, argv] = this.asRoot
      ? ['runuser', ['-u', RUN_AS, '--', join(BIN, command), ...args]]
      : [join(BIN, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: this.dir });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stdout}${result.stderr}`);
  }

  /** initdb, start, and create database `ccc`. */
  async init(): Promise<void> {
    if (this.asRoot) {
      const { uid, gid } = lookupUser(RUN_AS);
      chownSync(this.dir, uid, gid);
    }
    chmodSync(this.dir, 0o700);
    this.run('initdb', ['-D', this.data, '-U', 'app', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await this.start();
    const admin = new pg.Client({ connectionString: this.url('postgres') });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE ccc');
    } finally {
      await admin.end();
    }
  }

  async start(): Promise<void> {
    const extra = Object.entries(this.settings)
      .map(([name, value]) => ` -c ${name}=${value}`)
      .join('');
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off${extra}`;
    this.run('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.dir, 'server.log'), '-w', '-t', '30', 'start']);
  }

  /** Stops the server (fast: open connections are closed, as in a restart or an outage). */
  stop(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  }

  /** Stops the server if it runs and removes its files. */
  destroy(): void {
    try {
      this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    } catch {
      // Not running.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function lookupUser(name: string): { uid: number; gid: number } {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (result.status !== 0 || group.status !== 0)
    throw new Error(`there is no account "${name}" to run PostgreSQL as (it refuses to run as root)`);
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
}
