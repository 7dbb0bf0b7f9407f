import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import type { ChangeCaptureStatus } from '@ccc/shared-types';
import { ChangeCaptureLink } from '../analytics-cache/change-capture-link.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { RELEASE_LOCK, RENEW_LOCK } from '../redis/lock-scripts.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { CdcRefresh } from './cdc-refresh.js';
import { ALL_GROUPS } from './change-decoder.js';
import { ChangeStream } from './change-stream.js';
import { ReplicationAdmin, replicationNameOf } from './replication-admin.js';
import { SlotFigures } from './slot-metrics.js';

/** How often the supervisor looks at which datasources are in CDC mode, renews its leases and checks slot lag. */
const SUPERVISE_MS = 1_000;
/** One worker consumes a slot: it holds this lease (renewed every round) while it does. */
const LEASE_MS = 10_000;
/**
 * A refresh (or a lagging slot's catch-up) that failed is tried again after this long, doubled with each failure in a
 * row up to the cap; meanwhile its changes stay pending, so nothing confirms them away. Not CDC_FLUSH_MS: a source that
 * stays unreadable would otherwise add a failed warm job to the history every half second.
 */
export function refreshRetryDelayMs(failuresInARow: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.max(0, failuresInARow - 1));
}
/** How often pending changes are looked at for their flush deadline. */
const FLUSH_CHECK_MS = 100;
/** Rounds between two sweeps for orphaned slots (also swept in a round that stopped a stream). */
const ORPHAN_SWEEP_ROUNDS = 30;

export type CdcIncident = 'slot_dropped' | 'slot_lagging';

/** A datasource in CDC mode (`changeDetection: 'cdc'`). */
export const inCdcMode = (row: CacheStrategyEntity): boolean => row.changeDetection === 'cdc';

const settingsOf = (row: CacheStrategyEntity): string => JSON.stringify([row.sourceTable, row.columnMapping]);

interface Consumer {
  datasourceId: number;
  token: string;
  /** The table and mapping it streams for: when they change, the stream restarts with a full refresh. */
  settings: string;
  stream: ChangeStream;
  flushing: boolean;
  timer: NodeJS.Timeout;
  /**
   * The slot lagged past CDC_MAX_LAG_BYTES: from this time on, the next flush is a catch-up — a full warm in place of
   * what is pending, confirmed up to the WAL position read before it. Null once one succeeded.
   */
  catchUpAt: number | null;
  /** When the last catch-up succeeded: a lag figure read before the server applied its confirmation is stale. */
  caughtUpAt: number | null;
  /** Refreshes that failed in a row, and when the next one may run (refreshRetryDelayMs). */
  failures: number;
  retryAt: number;
}

/**
 * Change data capture: for every enabled datasource in CDC mode, one worker (under a Redis lease) streams the
 * datasource's logical replication slot, collects the groups its inserts, updates and deletes touch, and every
 * CDC_FLUSH_MS (or CDC_FLUSH_CHANGES groups) refreshes just those groups into a new generation; the slot is confirmed
 * only after that generation swapped, so a crash replays what was not yet in the cache. A dropped slot, or one
 * retaining more than CDC_MAX_LAG_BYTES of WAL, is recreated / abandoned for a full warm and recorded for its alert.
 * Slots and publications of datasources that left CDC mode (or were deleted) are dropped: an orphaned slot would keep
 * WAL on the source forever.
 */
@Injectable()
export class ChangeCaptureService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ChangeCaptureService.name);
  private readonly consumers = new Map<number, Consumer>();
  private supervisor: NodeJS.Timeout | null = null;
  private supervising = false;
  private renewing = false;
  private stopping = false;
  private rounds = 0;
  /** Datasources whose stream restarted for new settings: their next start refreshes every group. */
  private readonly refreshAll = new Set<number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly admin: ReplicationAdmin,
    private readonly datasources: DatasourcesService,
    private readonly policy: SourcePolicy,
    private readonly refresher: CdcRefresh,
    private readonly slotFigures: SlotFigures,
    private readonly link: ChangeCaptureLink,
  ) {}

  /** The slot of a datasource in CDC mode, for its details page; null in the other modes. */
  async status(datasourceId: number): Promise<ChangeCaptureStatus | null> {
    const strategy = await this.datasources.findEntity(datasourceId);
    if (!strategy || !inCdcMode(strategy)) return null;
    const slot = (await this.slotFigures.slots()).find((s) => s.datasourceId === datasourceId) ?? null;
    return {
      slotName: replicationNameOf(datasourceId),
      slotExists: slot !== null,
      active: slot?.active ?? false,
      lagBytes: slot?.lagBytes ?? null,
      maxLagBytes: this.config.changeCapture.maxLagBytes,
      lastIncident: await this.lastIncident(datasourceId),
    };
  }

  onModuleInit(): void {
    this.link.connect((datasourceId) => this.status(datasourceId));
    this.datasources.follow({
      scheduleChanged: async () => undefined,
      removing: (datasourceId) => this.stop(datasourceId),
      vet: (row) => this.vet(row),
    });
  }

  /** CDC mode is refused (400 on changeDetection) when the source cannot do logical replication for the table. */
  private async vet(row: CacheStrategyEntity): Promise<Array<{ field: string; message: string }>> {
    if (!inCdcMode(row)) return [];
    const problems = await this.admin.problems(row.sourceTable, row.columnMapping, row.datasourceId ?? null);
    return problems.map((message) => ({ field: 'changeDetection', message: `cdc mode: ${message}` }));
  }

  onApplicationBootstrap(): void {
    // Streams are worker work: role api never consumes (it still reports lag, read from the server).
    if (this.config.role === 'api') return;
    this.supervisor = setInterval(() => void this.superviseOnce(), SUPERVISE_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.supervisor) clearInterval(this.supervisor);
    await Promise.all([...this.consumers.keys()].map((id) => this.release(id)));
  }

  /** One supervision round (also called by tests): consumers follow the datasources' modes, leases, lag, orphans. */
  async superviseOnce(): Promise<void> {
    if (this.stopping) return;
    // Even while an earlier round still waits (a stream starting, a slot being dropped): a lapsed lease restarts its
    // stream, and lets another worker start one beside it.
    await this.renewLeases();
    if (this.supervising) return;
    this.supervising = true;
    try {
      const strategies = await this.datasources.entities();
      const wanted = new Map(
        strategies
          .filter((s) => s.isEnabled && inCdcMode(s) && this.policy.allowedName(s.sourceTable))
          .map((s) => [s.datasourceId, s]),
      );
      let released = false;
      for (const id of [...this.consumers.keys()]) {
        if (wanted.has(id)) continue;
        await this.release(id);
        released = true;
      }
      for (const strategy of wanted.values()) await this.follow(strategy);
      await this.checkLag();
      // A disabled datasource keeps no slot either: nobody would consume it, and it would retain WAL.
      if (released || this.rounds++ % ORPHAN_SWEEP_ROUNDS === 0) await this.dropOrphans(new Set(wanted.keys()));
    } catch (error) {
      this.logger.debug(`change capture round failed: ${(error as Error).message}`);
    } finally {
      this.supervising = false;
    }
  }

  /** Drops the datasource's slot and publication now (it is being deleted or leaves CDC mode). */
  async stop(datasourceId: number): Promise<void> {
    await this.release(datasourceId);
    await this.admin.drop(datasourceId);
    await this.redis.del(RedisKeys.changeCaptureState(datasourceId));
  }

  /** The last incident of a datasource's slot, if any (for its alert and the details page). */
  async lastIncident(datasourceId: number): Promise<{ kind: CdcIncident; at: string; lagBytes: number } | null> {
    const fields = await this.redis.hgetall(RedisKeys.changeCaptureState(datasourceId));
    return fields.kind
      ? { kind: fields.kind as CdcIncident, at: fields.at, lagBytes: Number(fields.lagBytes ?? 0) }
      : null;
  }

  private async recordIncident(datasourceId: number, kind: CdcIncident, lagBytes: number): Promise<void> {
    const key = RedisKeys.changeCaptureState(datasourceId);
    await this.redis.hset(key, { kind, at: new Date().toISOString(), lagBytes: String(lagBytes) });
  }

  /** Renews the lease of every running stream; a stream whose lease was lost stops (without releasing it). */
  private async renewLeases(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      for (const consumer of [...this.consumers.values()]) {
        const key = RedisKeys.lease(`change-capture:${consumer.datasourceId}`);
        const renewed = await this.redis.eval(RENEW_LOCK, 1, key, consumer.token, String(LEASE_MS));
        if (Number(renewed) !== 1 && this.consumers.get(consumer.datasourceId) === consumer)
          await this.release(consumer.datasourceId, false);
      }
    } catch (error) {
      this.logger.debug(`change capture leases not renewed: ${(error as Error).message}`);
    } finally {
      this.renewing = false;
    }
  }

  /** Takes the lease of one CDC datasource and starts its stream (renewing is renewLeases'). */
  private async follow(strategy: CacheStrategyEntity): Promise<void> {
    const id = strategy.datasourceId;
    const running = this.consumers.get(id);
    const key = RedisKeys.lease(`change-capture:${id}`);
    if (running && running.settings !== settingsOf(strategy)) {
      // Another table or mapping: the publication is re-pointed and every group refreshed when the stream restarts.
      this.refreshAll.add(id);
      await this.release(id);
      return;
    }
    if (running) return;
    const token = randomUUID();
    if ((await this.redis.set(key, token, 'PX', LEASE_MS, 'NX')) !== 'OK') return;
    try {
      await this.startConsumer(strategy, token);
    } catch (error) {
      this.logger.warn(`change capture of datasource ${id} could not start: ${(error as Error).message}`);
      await this.redis.eval(RELEASE_LOCK, 1, key, token).catch(() => undefined);
    }
  }

  private async startConsumer(strategy: CacheStrategyEntity, token: string): Promise<void> {
    const id = strategy.datasourceId;
    const { slotCreated } = await this.admin.ensure(id, strategy.sourceTable);
    if (slotCreated) {
      const state = RedisKeys.changeCaptureState(id);
      // We had created one before and nobody dropped it through us: it was dropped behind our back.
      if ((await this.redis.hsetnx(state, 'slot', new Date().toISOString())) === 0) {
        this.logger.warn(`datasource ${id}: its replication slot had been dropped; recreated it, warming fully`);
        await this.recordIncident(id, 'slot_dropped', 0);
      }
    }
    const stream = new ChangeStream(this.admin.connectionString, replicationNameOf(id), strategy.columnMapping, {
      committed: () => void this.flushIfDue(id),
      failed: (error) => void this.streamFailed(id, error),
    });
    const consumer: Consumer = {
      datasourceId: id,
      token,
      settings: settingsOf(strategy),
      stream,
      flushing: false,
      timer: setInterval(() => void this.flushIfDue(id), FLUSH_CHECK_MS),
      catchUpAt: null,
      caughtUpAt: null,
      failures: 0,
      retryAt: 0,
    };
    this.consumers.set(id, consumer);
    try {
      await stream.start();
    } catch (error) {
      await this.release(id, false);
      throw error;
    }
    // Changes before a new slot were never captured: the cache starts from a full warm taken after the slot.
    const settingsChanged = this.refreshAll.delete(id);
    if (slotCreated || settingsChanged) {
      stream.pending.allChanged(Date.now() - this.config.changeCapture.flushMs);
      void this.flushIfDue(id);
    }
  }

  /**
   * Refreshes what is pending once the oldest change waited CDC_FLUSH_MS or enough groups changed — or, when the slot
   * lagged, replaces it with a full warm (a catch-up). The only place pending changes are taken: a refresh that fails
   * leaves every group pending (so keepalives confirm nothing) and is tried again.
   */
  private async flushIfDue(id: number): Promise<void> {
    const consumer = this.consumers.get(id);
    if (!consumer || consumer.flushing || Date.now() < consumer.retryAt) return;
    const { pending } = consumer.stream;
    const oldest = pending.oldestAt;
    const { catchUpAt } = consumer;
    const catchUp = catchUpAt !== null;
    // A catch-up waiting to be tried again is not preempted by a flush, which would confirm only what was decoded.
    if (catchUp ? Date.now() < catchUpAt : !this.due(pending.size, oldest)) return;
    consumer.flushing = true;
    consumer.stream.busy = true;
    const takenAt = Date.now();
    try {
      // Everything committed before this position is in the snapshot of a warm that starts after it.
      const from = catchUp ? await this.admin.currentLsn() : null;
      const taken = pending.take();
      const groups = catchUp ? ALL_GROUPS : taken.groups;
      const lsn = from ?? taken.lsn;
      const timings = await this.refresher.refresh(id, groups);
      if (lsn && lsn !== '0/0') await consumer.stream.confirm(lsn);
      consumer.failures = 0;
      consumer.retryAt = 0;
      if (catchUp) {
        consumer.catchUpAt = null;
        consumer.caughtUpAt = Date.now();
      }
      // Where the freshness of this refresh's changes went (its oldest change: committed → confirmed after the swap).
      this.logger.log({
        msg: 'change capture refresh',
        datasourceId: id,
        groups: groups === ALL_GROUPS ? 'all' : groups.length,
        ...(catchUp ? { catchUp: true } : {}),
        oldestChangeMs: oldest === null ? null : Date.now() - oldest,
        pendingMs: oldest === null ? null : takenAt - oldest,
        ...Object.fromEntries(Object.entries(timings).map(([phase, ms]) => [`${phase}Ms`, ms])),
      });
    } catch (error) {
      consumer.failures += 1;
      const retryInMs = refreshRetryDelayMs(consumer.failures);
      consumer.retryAt = Date.now() + retryInMs;
      this.logger.warn(
        `change capture refresh of datasource ${id} failed (${consumer.failures} in a row; next try in ${retryInMs} ms): ${(error as Error).message}`,
      );
      // Nothing was confirmed: the changes are refreshed again, whole, by the next flush (a catch-up stays one).
      pending.allChanged(Date.now());
    } finally {
      consumer.stream.busy = false;
      consumer.flushing = false;
    }
  }

  private due(size: number, oldest: number | null): boolean {
    if (oldest === null || size === 0) return false;
    return size >= this.config.changeCapture.flushChanges || Date.now() - oldest >= this.config.changeCapture.flushMs;
  }

  /** The stream ended. A dropped slot is an incident: recreated, then a full warm (changes in between were lost). */
  private async streamFailed(id: number, error: Error): Promise<void> {
    await this.release(id);
    if (this.stopping) return;
    this.logger.warn(`datasource ${id}: replication stream ended: ${error.message}`);
    // The next round takes the lease again and restarts the stream; a slot dropped meanwhile is recreated there, with
    // a full warm and an incident (startConsumer).
  }

  /**
   * A slot retaining more than CDC_MAX_LAG_BYTES: whatever it still holds is replaced by a full warm, after which
   * everything committed before the warm started is in the cache, so the slot is confirmed up to there. The warm runs
   * in the consumer's flush (it may take minutes; this round renews leases), and is retried there until it succeeds.
   */
  private async checkLag(): Promise<void> {
    if (this.consumers.size === 0) return;
    // Fresh figures (not SlotFigures' shared ones): a lag read before the last catch-up must not trigger another.
    const readAt = Date.now();
    for (const slot of await this.admin.slots()) {
      const consumer = this.consumers.get(slot.datasourceId);
      if (!consumer || consumer.flushing || consumer.catchUpAt !== null) continue;
      if (slot.lagBytes <= this.config.changeCapture.maxLagBytes) continue;
      // The server applies a confirmation asynchronously: a round right after a catch-up may still see the old lag.
      if (consumer.caughtUpAt !== null && readAt < consumer.caughtUpAt + SUPERVISE_MS) continue;
      this.logger.warn(
        `datasource ${slot.datasourceId}: its slot retains ${slot.lagBytes} bytes of WAL (over CDC_MAX_LAG_BYTES); warming fully`,
      );
      consumer.catchUpAt = Date.now();
      await this.recordIncident(slot.datasourceId, 'slot_lagging', slot.lagBytes);
      void this.flushIfDue(slot.datasourceId);
    }
  }

  /** Slots and publications of ours whose datasource is gone or no longer in CDC mode. */
  private async dropOrphans(cdc: Set<number>): Promise<void> {
    const ours = new Set([
      ...(await this.admin.slots()).map((s) => s.datasourceId),
      ...(await this.admin.publications()),
    ]);
    for (const id of ours) {
      if (cdc.has(id) || this.consumers.has(id)) continue;
      await this.admin.drop(id);
      await this.redis.del(RedisKeys.changeCaptureState(id));
      this.logger.log(`datasource ${id}: dropped its replication slot and publication (no longer in CDC mode)`);
    }
  }

  private async release(id: number, releaseLease = true): Promise<void> {
    const consumer = this.consumers.get(id);
    if (!consumer) return;
    this.consumers.delete(id);
    clearInterval(consumer.timer);
    await consumer.stream.stop();
    if (releaseLease)
      await this.redis
        .eval(RELEASE_LOCK, 1, RedisKeys.lease(`change-capture:${id}`), consumer.token)
        .catch(() => undefined);
  }
}
