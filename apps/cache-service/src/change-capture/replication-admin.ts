import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ColumnMapping } from '@ccc/shared-types';
import pg, { type Pool } from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { guardCheckedOutConnections } from '../datasources/source-database.js';
import { parseSourceName, quoteIdent } from '../datasources/source-name.js';

/** The publication and the slot of one datasource share this name: deterministic, so nothing is ever lost track of. */
export const replicationNameOf = (datasourceId: number): string => `ccc_ds_${datasourceId}`;
const NAME_PATTERN = /^ccc_ds_(\d+)$/;
export const datasourceOfReplicationName = (name: string): number | null => {
  const match = NAME_PATTERN.exec(name);
  return match ? Number(match[1]) : null;
};

/** One slot of ours as PostgreSQL reports it. */
export interface SlotState {
  datasourceId: number;
  active: boolean;
  /** WAL the slot keeps on the server: current WAL position − what we confirmed. */
  lagBytes: number;
  /** PostgreSQL's `wal_status` (`reserved`, `extended`, `unreserved`, `lost`). */
  walStatus: string | null;
}

/**
 * Everything CDC mode asks of the source database, on CDC_DATABASE_URL's role (DATABASE_URL by default): checking
 * that logical replication can work for a table, creating and dropping a datasource's publication and slot, and
 * reading the slots' lag. A small pool of its own: slot queries must not wait behind warms or readers.
 */
@Injectable()
export class ReplicationAdmin implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.pool = new pg.Pool({
      connectionString: config.changeCapture.databaseUrl,
      max: 2,
      idleTimeoutMillis: 10_000,
      statement_timeout: 15_000,
      application_name: 'cache-command-center:change-capture',
    });
    this.pool.on('error', () => undefined);
    guardCheckedOutConnections(this.pool);
  }

  /** Connection settings of the streaming connection (the same role). */
  get connectionString(): string {
    return this.config.changeCapture.databaseUrl;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  /**
   * Why CDC mode cannot work for this table, in words an operator can act on (empty: it can). Logical replication
   * needs wal_level=logical, a role with REPLICATION that owns the table (a publication names tables only their owner
   * may publish), a free slot, and a replica identity that carries the grouping columns of deleted and updated rows.
   */
  async problems(sourceTable: string, mapping: ColumnMapping, datasourceId: number | null): Promise<string[]> {
    const name = parseSourceName(sourceTable);
    if (!name) return [`${sourceTable} is not a table name`];
    const [server] = await this.query<{
      wal_level: string;
      replication: boolean;
      create: boolean;
      free_slots: number;
    }>(
      `SELECT current_setting('wal_level') AS wal_level,
              (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) AS replication,
              has_database_privilege(current_database(), 'CREATE') AS create,
              current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots)::int AS free_slots`,
    );
    const problems: string[] = [];
    if (server.wal_level !== 'logical')
      problems.push(`the source database runs with wal_level=${server.wal_level}; CDC needs wal_level=logical`);
    if (!server.replication)
      problems.push('the change-capture role (CDC_DATABASE_URL) lacks the REPLICATION attribute');
    if (!server.create) problems.push('the change-capture role may not create publications (CREATE on the database)');
    const [table] = await this.query<{ identity: string; owns: boolean; identity_columns: string[] | null }>(
      `SELECT c.relreplident AS identity,
              pg_has_role(current_user, c.relowner, 'USAGE') AS owns,
              (SELECT array_agg(a.attname::text) FROM pg_index i
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE i.indrelid = c.oid
                  AND CASE c.relreplident WHEN 'd' THEN i.indisprimary WHEN 'i' THEN i.indisreplident ELSE false END
              ) AS identity_columns
         FROM pg_class c WHERE c.oid = to_regclass($1)`,
      [name.sql],
    );
    if (!table) return [...problems, `the table ${name.qualified} does not exist`];
    if (!table.owns) problems.push(`the change-capture role does not own ${name.qualified}, so it cannot publish it`);
    const grouping = [mapping.measure, mapping.practice, mapping.provider, mapping.frequency];
    const carried = table.identity === 'f' || grouping.every((column) => table.identity_columns?.includes(column));
    if (!carried)
      problems.push(
        `deleted and updated rows of ${name.qualified} would not name their group: run ALTER TABLE ${name.sql} REPLICA IDENTITY FULL (or use an identity index covering ${grouping.join(', ')})`,
      );
    // A slot is taken only when missing: the datasource's own counts as free.
    const own = datasourceId === null ? null : await this.slot(datasourceId);
    if (server.free_slots <= 0 && !own)
      problems.push('no replication slot is free on the source (raise max_replication_slots)');
    return problems;
  }

  /**
   * Creates (or re-points) the datasource's publication and creates its slot when missing. Returns whether the slot
   * is new: changes before it were never captured, so the caller warms fully after this.
   */
  async ensure(datasourceId: number, sourceTable: string): Promise<{ slotCreated: boolean }> {
    const name = parseSourceName(sourceTable);
    if (!name) throw new Error(`${sourceTable} is not a table name`);
    const publication = replicationNameOf(datasourceId);
    const tables = await this.query<{ table: string }>(
      `SELECT schemaname || '.' || tablename AS table FROM pg_publication_tables WHERE pubname = $1`,
      [publication],
    );
    const exists = (await this.query(`SELECT 1 FROM pg_publication WHERE pubname = $1`, [publication])).length > 0;
    if (!exists) {
      await this.query(`CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${name.sql}`).catch((error: Error) => {
        // Another replica created it in the meantime.
        if (!/already exists/.test(error.message)) throw error;
      });
    } else if (tables.length !== 1 || tables[0].table !== name.qualified) {
      await this.query(`ALTER PUBLICATION ${quoteIdent(publication)} SET TABLE ${name.sql}`);
    }
    if (await this.slot(datasourceId)) return { slotCreated: false };
    try {
      await this.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [publication]);
    } catch (error) {
      if (/already exists/.test((error as Error).message)) return { slotCreated: false };
      throw error;
    }
    return { slotCreated: true };
  }

  /** Drops the datasource's slot (ending a stream still attached to it) and its publication; no-op when absent. */
  async drop(datasourceId: number): Promise<void> {
    const name = replicationNameOf(datasourceId);
    for (let attempt = 0; attempt < 20; attempt++) {
      const [slot] = await this.query<{ active_pid: number | null }>(
        `SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1`,
        [name],
      );
      if (!slot) break;
      if (slot.active_pid !== null) await this.query(`SELECT pg_terminate_backend($1)`, [slot.active_pid]);
      try {
        await this.query(`SELECT pg_drop_replication_slot($1)`, [name]);
        break;
      } catch (error) {
        // Still active for a moment after its stream ended.
        if (!/is active|does not exist/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    await this.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
  }

  /** The datasource's slot, or null when it does not exist (never created, or dropped behind our back). */
  async slot(datasourceId: number): Promise<SlotState | null> {
    return (await this.slots()).find((slot) => slot.datasourceId === datasourceId) ?? null;
  }

  /** Every slot of ours on the source. */
  async slots(): Promise<SlotState[]> {
    const rows = await this.query<{
      slot_name: string;
      active: boolean;
      lag: string | null;
      wal_status: string | null;
    }>(
      `SELECT slot_name, active, wal_status,
              pg_wal_lsn_diff(pg_current_wal_lsn(), coalesce(confirmed_flush_lsn, restart_lsn))::bigint::text AS lag
         FROM pg_replication_slots WHERE slot_type = 'logical' AND slot_name LIKE 'ccc\\_ds\\_%'`,
    );
    return rows.flatMap((row) => {
      const datasourceId = datasourceOfReplicationName(row.slot_name);
      return datasourceId === null
        ? []
        : [
            {
              datasourceId,
              active: row.active,
              lagBytes: Math.max(0, Number(row.lag ?? 0)),
              walStatus: row.wal_status,
            },
          ];
    });
  }

  /** Publications of ours (to find those of datasources that left CDC mode or were deleted). */
  async publications(): Promise<number[]> {
    const rows = await this.query<{ pubname: string }>(
      `SELECT pubname FROM pg_publication WHERE pubname LIKE 'ccc\\_ds\\_%'`,
    );
    return rows.flatMap((row) => {
      const id = datasourceOfReplicationName(row.pubname);
      return id === null ? [] : [id];
    });
  }

  /** The server's current WAL position: everything committed before it is in a snapshot taken after. */
  async currentLsn(): Promise<string> {
    return (await this.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`))[0].lsn;
  }

  /** Moves an idle slot's confirmed position forward (after a full warm made older changes moot). */
  async advance(datasourceId: number, lsn: string): Promise<void> {
    await this.query(`SELECT pg_replication_slot_advance($1, $2::pg_lsn)`, [replicationNameOf(datasourceId), lsn]);
  }
}
