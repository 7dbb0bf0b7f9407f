import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Principal } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { authorOf } from '../users/author.js';
import { IndexCatalogRepository, type BuildSession } from './index-catalog.repository.js';
import { IndexStrategyEntity } from './index-strategy.entity.js';
import { windowOpensAt } from './index-window.js';

/** How long an index build or drop waits for a lock (on the table, or for older transactions) before giving up. */
export const INDEX_LOCK_TIMEOUT_MS = 30_000;

/** Why a build did not produce a valid index (`busy`: another build or drop of it holds its lock). */
export type BuildOutcome = { built: true } | { built: false; busy: boolean; reason: string };

/**
 * Builds and drops the indexes of index strategies in PostgreSQL, each under its advisory lock so that a second
 * click, the 'index-apply' task and other replicas never build or drop the same index at once. Records the
 * result (is_created, last_error) on the strategy.
 */
@Injectable()
export class IndexBuilderService {
  private readonly logger = new Logger(IndexBuilderService.name);
  /** lock_timeout of index builds and drops; tests shorten it (through IndexStrategyService). */
  lockTimeoutMs = INDEX_LOCK_TIMEOUT_MS;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(IndexStrategyEntity) private readonly strategies: Repository<IndexStrategyEntity>,
    private readonly catalog: IndexCatalogRepository,
    private readonly policy: SourcePolicy,
  ) {}

  /** When the strategy's maintenance window next opens (at or before `now` when it is open). */
  windowOpensAt(row: IndexStrategyEntity, now: Date): Date {
    return windowOpensAt(
      row.maintenanceWindow,
      { offPeakHours: this.config.monitoring.offPeakHours, scheduledAt: row.scheduledAt },
      now,
    );
  }

  /** Builds requested indexes whose window is open at `now`. Returns how many were built. */
  async buildDue(now: Date): Promise<number> {
    const waiting = await this.strategies
      .createQueryBuilder('s')
      .where('s.is_active AND NOT s.is_created AND s.apply_requested_at IS NOT NULL')
      .orderBy('s.apply_requested_at', 'ASC')
      .getMany();
    let built = 0;
    for (const row of waiting) {
      const opensAt = this.windowOpensAt(row, now);
      if (opensAt.getTime() > now.getTime()) continue;
      const outcome = await this.build(row, null);
      if (outcome === 'exists') continue;
      if (outcome.built) built++;
      else if (!outcome.busy)
        this.logger.warn(`index ${row.tableName}.${row.indexName} was not built: ${outcome.reason}`);
    }
    return built;
  }

  /**
   * Builds the index holding its lock from the first look to the last: inspect (a valid index is `exists`) →
   * drop an invalid leftover of an earlier failed build → CREATE INDEX CONCURRENTLY → check it is valid (an
   * invalid result is dropped again). Failures are recorded in last_error. Another holder of the lock (a
   * second click, the 'index-apply' task, another replica) makes this a `busy` no-op: nothing is dropped.
   */
  async build(row: IndexStrategyEntity, principal: Principal | null): Promise<BuildOutcome | 'exists'> {
    const table = this.policy.allowedName(row.tableName);
    if (!table) return { built: false, busy: false, reason: `${row.tableName} is outside SOURCE_SCHEMAS` };
    const { schema } = table;
    const by = principal ? authorOf(principal) : row.updatedBy;
    const locked = await this.catalog.withIndexLock(
      schema,
      row.indexName,
      this.lockTimeoutMs,
      async (session): Promise<BuildOutcome | 'exists'> => {
        const current = await this.strategies.findOneBy({ id: row.id });
        if (!current?.isActive) return { built: false, busy: false, reason: 'the strategy was deactivated' };
        const before = await session.state();
        if (before.exists && before.valid) {
          // An index of that name that this build did not make is someone else's, whatever the row said before.
          if (!current.isCreated) {
            await this.strategies.update(
              { id: row.id },
              {
                isCreated: true,
                builtByService: false,
                applyRequestedAt: null,
                createdInDatabaseAt: current.createdInDatabaseAt ?? new Date(),
                lastError: null,
                updatedAt: new Date(),
              },
            );
          }
          return 'exists';
        }
        const failure = await this.buildLocked(session, row);
        if (failure) {
          await this.strategies.update(
            { id: row.id },
            { lastError: failure.slice(0, 2000), updatedBy: by, updatedAt: new Date() },
          );
          return { built: false, busy: false, reason: failure };
        }
        await this.strategies.update(
          { id: row.id },
          {
            isCreated: true,
            builtByService: true,
            createdInDatabaseAt: new Date(),
            applyRequestedAt: null,
            lastError: null,
            updatedBy: by,
            updatedAt: new Date(),
          },
        );
        return { built: true };
      },
    );
    return locked.locked
      ? locked.result
      : { built: false, busy: true, reason: 'another build or drop of this index is running' };
  }

  /**
   * Drops the index concurrently and deactivates its strategy (is_created = false, is_active = false) — only an
   * index this service built, on the strategy's own table in an allowed schema, and never one that is unique,
   * primary, an exclusion index or behind a constraint (403 SOURCE_NOT_ALLOWED, 409 INDEX_NOT_MANAGED,
   * 409 INDEX_BACKS_CONSTRAINT). Everything else was made by someone else and is theirs to drop.
   */
  async drop(row: IndexStrategyEntity, principal: Principal): Promise<void> {
    const table = this.policy.assertAllowed(row.tableName, 'tableName');
    const notManaged = (why: string): AppError =>
      new AppError('INDEX_NOT_MANAGED', `Index ${row.indexName} ${why}; it is not dropped here`, {
        indexName: row.indexName,
        tableName: table.qualified,
      });
    if (!row.builtByService)
      throw notManaged(
        row.discovered ? 'was found in PostgreSQL, not built by this service' : 'was not built by this service',
      );
    // Under the build lock: never drops an index a build is still creating.
    const outcome = await this.catalog.withIndexLock(
      table.schema,
      row.indexName,
      this.lockTimeoutMs,
      async (session) => {
        const state = await session.state();
        if (state.exists && (state.isPrimary || state.isUnique || state.isExclusion || state.backsConstraint)) {
          const kind = state.isPrimary
            ? 'a primary key'
            : state.backsConstraint
              ? 'a constraint'
              : state.isUnique
                ? 'a unique index'
                : 'an exclusion index';
          throw new AppError(
            'INDEX_BACKS_CONSTRAINT',
            `Index ${row.indexName} is ${kind} of ${state.tableName}; dropping it would change what the table accepts, so it is not dropped here`,
            {
              indexName: row.indexName,
              tableName: state.tableName,
            },
          );
        }
        if (state.exists && state.tableName !== table.qualified)
          throw notManaged(`is on ${state.tableName}, not on ${table.qualified}`);
        if (state.exists) {
          try {
            await session.drop();
          } catch (error) {
            throw AppError.conflict(`Index ${row.indexName} could not be dropped: ${(error as Error).message}`);
          }
        }
        await this.strategies.update(
          { id: row.id },
          {
            isCreated: false,
            isActive: false,
            builtByService: false,
            applyRequestedAt: null,
            updatedBy: authorOf(principal),
            updatedAt: new Date(),
          },
        );
      },
    );
    if (!outcome.locked)
      throw AppError.conflict(
        `Index ${row.indexName} is being built or dropped right now; try again when that has finished`,
      );
  }

  /** The build steps inside the lock; returns why it failed, or null. */
  private async buildLocked(session: BuildSession, row: IndexStrategyEntity): Promise<string | null> {
    let failure: string | null = null;
    try {
      // An invalid leftover of an earlier failed build blocks the name: it goes first. (Under the lock, an
      // invalid index cannot be a build in progress.)
      const before = await session.state();
      if (before.exists && !before.valid) await session.drop();
      await session.build(row.indexDefinition);
    } catch (error) {
      failure = (error as Error).message;
    }
    const after = await session.state();
    if (after.exists && !after.valid) {
      failure ??= 'the index was left invalid';
      await session.drop().catch((error: Error) => {
        this.logger.warn(`could not drop the invalid index ${row.indexName}: ${error.message}`);
      });
    } else if (!after.exists) {
      failure ??= 'the index does not exist after the build';
    }
    return failure;
  }
}
