import type { ColumnMapping } from '@ccc/shared-types';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { groupsOfChange, PendingChanges, type DecodedChange } from './change-decoder.js';

/** How often an idle stream asks the server where it stands, so the slot's confirmed position follows the WAL. */
const IDLE_PING_MS = 1_000;

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
    this.service.on('error', (error: Error) => this.fail(error));
  }

  /** Connects and streams from the slot's confirmed position; resolves once streaming has started. */
  async start(): Promise<void> {
    const started = new Promise<void>((resolve, reject) => {
      this.service.once('start', () => resolve());
      this.service.once('error', reject);
    });
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.slot] });
    // Ends when the stream ends: a dropped slot or a lost server arrive here.
    void this.service.subscribe(plugin, this.slot).then(
      () => this.fail(new Error('the replication stream ended')),
      (error: Error) => this.fail(error),
    );
    await started;
    this.ping = setInterval(() => {
      if (this.pending.empty && !this.refreshing && !this.inTransaction)
        void this.service.acknowledge(this.confirmed ?? '0/0', true);
    }, IDLE_PING_MS);
  }

  /** A refresh is running: keepalives must not confirm past what it covers. */
  set busy(value: boolean) {
    this.refreshing = value;
  }

  /** The refresh covering every change up to `lsn` has swapped: the server may forget them. */
  async confirm(lsn: string): Promise<void> {
    this.confirmed = lsn;
    if (!this.stopped) await this.service.acknowledge(lsn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ping) clearInterval(this.ping);
    await this.service.destroy().catch(() => undefined);
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
