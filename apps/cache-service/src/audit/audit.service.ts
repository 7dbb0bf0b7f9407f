import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AuditEntry, AuditOutcome, AuditQuery, Paginated, Principal } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { AuditLogEntity } from './audit-log.entity.js';

export interface AuditRecord {
  actor: Principal | null;
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

// Redis tools send a `key` field (a key name, not a secret): only credential-like names are redacted.
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key/i;
const MAX_STRING = 500;

/** Copies request parameters for the trail without secrets and without unbounded strings. */
export function sanitizeParameters(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') {
    // jsonb cannot hold NUL: a request carrying one would otherwise go unaudited.
    const text = value.includes('\u0000') ? value.replace(/\u0000/g, '\\u0000') : value;
    return text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
  }
  if (typeof value !== 'object') return value;
  if (depth > 4) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => sanitizeParameters(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) ? '[redacted]' : sanitizeParameters(item, depth + 1),
    ]),
  );
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

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectRepository(AuditLogEntity) private readonly rows: Repository<AuditLogEntity>) {}

  async record(record: AuditRecord): Promise<void> {
    try {
      await this.rows.save(
        this.rows.create({
        actorId: record.actor?.id ?? null,
        actorKind: record.actor?.kind ?? 'anonymous',
        actorName: record.actor?.name ?? null,
        action: record.action,
        targetType: record.targetType ?? null,
        targetId: record.targetId ?? null,
        parameters: (sanitizeParameters(record.parameters ?? null) as Record<string, unknown> | null) ?? null,
        outcome: record.outcome,
        statusCode: record.statusCode ?? null,
        errorCode: record.errorCode ?? null,
        ip: record.ip ?? null,
        correlationId: record.correlationId ?? null,
        }),
      );
    } catch (error) {
      // The operation itself already happened; losing its audit row must be loud, not fatal.
      this.logger.error({ msg: 'audit write failed', action: record.action, error: (error as Error).message });
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
