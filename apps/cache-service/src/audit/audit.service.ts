import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AuditEntry, AuditOutcome, AuditQuery, Paginated, Principal } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { isDataError, sqlStateOf } from '../common/infrastructure-errors.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { AuditLogEntity } from './audit-log.entity.js';
import { auditParameters, boundedText } from './audit-sanitizer.js';

// Deletes the lease only if this process still holds it.
const RELEASE_LEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
// Queues a row unless the outbox already holds ARGV[2] rows: a PostgreSQL outage must not fill Redis (and stop the cache).
const ENQUEUE_BOUNDED = `if redis.call('llen', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end redis.call('lpush', KEYS[1], ARGV[1]) return 1`;

/** Who acted when no one signed in did: a remediation rule (`id` is `rule:<uuid>`). */
export interface AutomaticActor {
  kind: 'rule';
  id: string;
  name: string;
}

export interface AuditRecord {
  actor: Principal | AutomaticActor | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  parameters?: Record<string, unknown> | null;
  outcome: AuditOutcome;
  statusCode?: number | null;
  errorCode?: string | null;
  ip?: string | null;
  correlationId?: string | null;
}

function toEntry(row: AuditLogEntity): AuditEntry {
  return {
    id: String(row.id),
    occurredAt: row.occurredAt.toISOString(),
    actorId: row.actorId,
    actorName: row.actorName,
    actorKind: row.actorKind,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    parameters: row.parameters,
    outcome: row.outcome,
    statusCode: row.statusCode,
    errorCode: row.errorCode,
    correlationId: row.correlationId,
  };
}

/** A trail row as it is written (and as it waits in the outbox): every column bounded and storable. */
type AuditRow = Omit<AuditLogEntity, 'id'>;
/** How the outbox keeps a row in Redis (dates as ISO text). */
type QueuedRow = Omit<AuditRow, 'occurredAt'> & { occurredAt: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTBOX_DRAIN_EVERY_MS = 5_000;
const OUTBOX_BATCH = 100;
const OUTBOX_LEASE_MS = 30_000;

/** Bounded to the column's length; NUL and unpaired surrogates replaced (see boundedText). */
const column = (value: string | null | undefined, length: number): string | null =>
  value === null || value === undefined ? null : boundedText(value, length);

export function toAuditRow(record: AuditRecord, occurredAt = new Date()): AuditRow {
  return {
    occurredAt,
    // An identity provider's subject need not be a UUID: it is kept in actorName instead.
    actorId: record.actor && UUID.test(record.actor.id) ? record.actor.id : null,
    actorKind: record.actor?.kind ?? 'anonymous',
    actorName: column(
      record.actor && !UUID.test(record.actor.id) ? `${record.actor.name} (${record.actor.id})` : record.actor?.name,
      320,
    ),
    action: column(record.action, 100) ?? '',
    targetType: column(record.targetType, 50),
    targetId: column(record.targetId, 200),
    parameters: auditParameters(record.parameters),
    outcome: record.outcome,
    statusCode: record.statusCode ?? null,
    errorCode: column(record.errorCode, 50),
    ip: column(record.ip, 64),
    correlationId: column(record.correlationId, 100),
  };
}

/**
 * The audit trail. Guarantee: every change that was answered with success has its row — at least once.
 * The row is written before the response goes out; if PostgreSQL refuses it (down, pool exhausted), it
 * is queued in Redis (the outbox) and a retry loop in every process writes it as soon as PostgreSQL takes it,
 * oldest first. A row whose content PostgreSQL refuses is written without its parameters rather than lost.
 * Only when PostgreSQL and Redis both fail is a row left to the error log, with all of its fields.
 */
@Injectable()
export class AuditService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AuditService.name);
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<number> | null = null;
  /** Rows this process could not keep (outbox full, or PostgreSQL and Redis both refused): counted on /metrics. */
  lostRows = 0;

  constructor(
    @InjectRepository(AuditLogEntity) private readonly rows: Repository<AuditLogEntity>,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Rows waiting in the outbox for PostgreSQL. */
  outboxLength(): Promise<number> {
    return this.redis.llen(RedisKeys.auditOutbox());
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.drainOutbox().catch(() => undefined), OUTBOX_DRAIN_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async record(record: AuditRecord): Promise<void> {
    const row = toAuditRow(record);
    try {
      await this.write([row]);
    } catch (error) {
      this.logger.warn({
        msg: 'audit write deferred to the outbox',
        action: row.action,
        error: (error as Error).message,
      });
      await this.enqueue(row);
    }
  }

  /** Writes what waits in the outbox, oldest first; one process at a time. Returns how many rows it wrote. */
  drainOutbox(): Promise<number> {
    this.draining ??= this.drainOnce().finally(() => (this.draining = null));
    return this.draining;
  }

  private async drainOnce(): Promise<number> {
    const key = RedisKeys.auditOutbox();
    if ((await this.redis.llen(key)) === 0) return 0;
    const lease = RedisKeys.lease('audit-outbox');
    const token = randomUUID();
    if ((await this.redis.set(lease, token, 'PX', OUTBOX_LEASE_MS, 'NX')) !== 'OK') return 0;
    let written = 0;
    try {
      for (;;) {
        // LPUSH adds at the head: the tail holds the oldest rows.
        const queued = await this.redis.lrange(key, -OUTBOX_BATCH, -1);
        if (queued.length === 0) break;
        const rows = queued.reverse().map((text) => {
          const parsed = JSON.parse(text) as QueuedRow;
          return { ...parsed, occurredAt: new Date(parsed.occurredAt) };
        });
        await this.write(rows);
        // Only now are they removed: a crash in between writes them twice, never zero times.
        await this.redis.ltrim(key, 0, -queued.length - 1);
        written += rows.length;
      }
    } finally {
      await this.redis.eval(RELEASE_LEASE, 1, lease, token).catch(() => undefined);
    }
    if (written > 0) this.logger.log({ msg: 'audit outbox drained', rows: written });
    return written;
  }

  /** Inserts rows; a row whose content the database refuses (a data error) is written without its parameters. */
  private async write(rows: AuditRow[]): Promise<void> {
    try {
      await this.rows.save(this.rows.create(rows));
    } catch (error) {
      if (!isDataError(error)) throw error;
      for (const row of rows) {
        await this.rows.save(this.rows.create(row)).catch(async (rowError: unknown) => {
          if (!isDataError(rowError)) throw rowError;
          await this.rows
            .save(this.rows.create({ ...row, parameters: { '[unstorable]': sqlStateOf(rowError) } }))
            .catch((lastError: unknown) => {
              if (!isDataError(lastError)) throw lastError;
              // Retrying cannot help a row the database refuses as such; it would block the outbox behind it.
              this.lostRows += 1;
              this.logger.error({
                msg: 'audit record lost: PostgreSQL refuses its content',
                row,
                error: (lastError as Error).message,
              });
            });
        });
      }
    }
  }

  private async enqueue(row: AuditRow): Promise<void> {
    const max = this.config.audit.outboxMaxRows;
    try {
      const queued = await this.redis.eval(
        ENQUEUE_BOUNDED,
        1,
        RedisKeys.auditOutbox(),
        JSON.stringify({ ...row, occurredAt: row.occurredAt.toISOString() }),
        max,
      );
      if (queued === 1) return;
      this.lostRows += 1;
      this.logger.error({
        msg: `audit record lost: PostgreSQL refuses rows and the audit outbox is full (AUDIT_OUTBOX_MAX_ROWS=${max})`,
        row,
      });
    } catch (error) {
      this.lostRows += 1;
      this.logger.error({
        msg: 'audit record lost: PostgreSQL and Redis both refused it',
        row,
        error: (error as Error).message,
      });
    }
  }

  async query(query: AuditQuery): Promise<Paginated<AuditEntry>> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const builder = this.rows.createQueryBuilder('a');
    if (query.actorId) builder.andWhere('a.actor_id = :actorId', { actorId: query.actorId });
    if (query.action) builder.andWhere('a.action = :action', { action: query.action });
    if (query.targetType) builder.andWhere('a.target_type = :targetType', { targetType: query.targetType });
    if (query.targetId) builder.andWhere('a.target_id = :targetId', { targetId: query.targetId });
    if (query.outcome) builder.andWhere('a.outcome = :outcome', { outcome: query.outcome });
    if (query.from) builder.andWhere('a.occurred_at >= :from', { from: query.from });
    if (query.to) builder.andWhere('a.occurred_at < :to', { to: query.to });
    const [rows, total] = await builder
      .orderBy('a.occurred_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items: rows.map(toEntry), total, page, pageSize };
  }
}
