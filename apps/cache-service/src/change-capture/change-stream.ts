import type { ColumnMapping } from '@ccc/shared-types';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { compareLsn, groupsOfChange, PendingChanges, type DecodedChange } from './change-decoder.js';

/** How often an idle stream asks the server where it stands, so the slot's confirmed position follows the WAL. */
const IDLE_PING_MS = 1_000;
/** A stream that has not started streaming after this long is given up (and retried by the next supervisor round). */
const START_TIMEOUT_MS = 30_000;

export interface ChangeStreamEvents {
  /** A transaction touching the table committed (its groups are in `pending`). */
  committed(): void;
  /** The stream ended: the slot was dropped, the server went away, the connection broke. */
  failed(error: Error): void;
}

/**
 * One datasource's replication stream (pgoutput through pg-logical-replication): decodes the row changes of its table
 * into pending groups and confirms to the server only what the caller says has been refreshed — never automatically,
 * so a crash replays every change whose refresh had not swapped. While nothing is pending it confirms the server's
 * position from each keepalive, so that the WAL other tables write is not retained by our slot.
 */
export class ChangeStream {
  readonly pending = new PendingChanges();
  private readonly service: LogicalReplicationService;
  private confirmed: string | null = null;
  private refreshing = false;
  private ping: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Set once streaming started: failures before it reject start(), after it reach `failed`. */
  private startedAt: number | null = null;
  /** Between a transaction's begin and its commit: its changes are not pending yet, but must not be confirmed away. */
  private inTransaction = false;

  constructor(
    connectionString: string,
    private readonly slot: string,
    private readonly mapping: ColumnMapping,
    private readonly events: ChangeStreamEvents,
  ) {
    // No automatic acknowledgement and no timer acknowledging the last received position: confirm() alone moves it.
    this.service = new LogicalReplicationService(
      { connectionString, application_name: `cache-command-center:${slot}` },
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    this.service.on('data', (_lsn: string, message: Pgoutput.Message) => this.onMessage(message));
    this.service.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) =>
      this.onHeartbeat(lsn, shouldRespond),
    );
    this.service.on('error', (error: Error) => {
      if (this.startedAt) this.fail(error);
    });
    this.service.on('start', () => {
      this.startedAt = Date.now();
    });
  }

  /** Connects and streams from the slot's confirmed position; resolves once streaming has started. */
  async start(): Promise<void> {
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.slot] });
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error('the replication stream did not start')), START_TIMEOUT_MS);
      this.service.once('start', () => {
        clearTimeout(timeout);
        resolve();
      });
      // Ends when the stream ends, or never starts (a slot still held by a stream that is going away, a dropped slot,
      // a lost server): the caller hears it once, as a rejection while starting or as `failed` after.
      void this.service.subscribe(plugin, this.slot).then(
        () => this.ended(new Error('the replication stream ended'), reject, timeout),
        (error: Error) => this.ended(error, reject, timeout),
      );
    });
    this.ping = setInterval(() => {
      if (this.pending.empty && !this.refreshing && !this.inTransaction)
        void this.service.acknowledge(this.confirmed ?? '0/0', true);
    }, IDLE_PING_MS);
  }

  /** A refresh is running: keepalives must not confirm past what it covers. */
  set busy(value: boolean) {
    this.refreshing = value;
  }

  /**
   * The refresh covering every change up to `lsn` has swapped: the server may forget them. Never backwards: a flush of
   * changes the stream decoded late (behind a catch-up's full warm, which confirmed further) tells the server nothing.
   */
  async confirm(lsn: string): Promise<void> {
    if (this.confirmed && compareLsn(lsn, this.confirmed) <= 0) return;
    this.confirmed = lsn;
    if (!this.stopped) await this.service.acknowledge(lsn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ping) clearInterval(this.ping);
    await this.service.destroy().catch(() => undefined);
  }

  private ended(error: Error, reject: (error: Error) => void, timeout: NodeJS.Timeout): void {
    clearTimeout(timeout);
    if (!this.startedAt) {
      void this.stop();
      reject(error);
      return;
    }
    this.fail(error);
  }

  private fail(error: Error): void {
    if (this.stopped) return;
    void this.stop();
    this.events.failed(error);
  }

  private onMessage(message: Pgoutput.Message): void {
    switch (message.tag) {
      case 'relation':
        // Read every value as PostgreSQL's text, as the warm's COPY does (an int4 parsed to a number prints the
        // same, a date or a boolean would not). The parser reuses this object for the relation's later messages.
        for (const column of message.columns) column.parser = (raw: unknown) => raw;
        return;
      case 'begin':
        this.inTransaction = true;
        return;
      case 'insert':
      case 'update':
      case 'delete':
        this.pending.add(groupsOfChange(message as DecodedChange, this.mapping));
        return;
      case 'truncate':
        this.pending.add(groupsOfChange({ tag: 'truncate' }, this.mapping));
        return;
      case 'commit':
        this.inTransaction = false;
        if (message.commitEndLsn) {
          const hadChanges = !this.pending.empty;
          this.pending.commit(message.commitEndLsn, Date.now());
          if (!this.pending.empty || hadChanges) this.events.committed();
        }
        return;
      default:
        return;
    }
  }

  /** With nothing pending or being refreshed, everything the server has sent is in the cache: confirm it. */
  private onHeartbeat(lsn: string, shouldRespond: boolean): void {
    if (this.pending.empty && !this.refreshing && !this.inTransaction && lsn !== '0/0') {
      this.confirmed = lsn;
      void this.service.acknowledge(lsn);
    } else if (shouldRespond) {
      void this.service.acknowledge(this.confirmed ?? '0/0');
    }
  }
}
