import { Injectable } from '@nestjs/common';
import type { Principal } from '@ccc/shared-types';
import { IndexStrategyService } from '../db-performance/index-strategy.service.js';

export interface SourceIndexRequest {
  tableName: string;
  indexName: string;
  columns: string[];
}

export interface IndexActionOutcome {
  note: string;
  /** Reverses the action if the recommendation's status change cannot be recorded afterwards. */
  undo?: () => Promise<unknown>;
}

/**
 * What implementing an index recommendation does, through the index-management service: create a composite
 * ANALYTICS index strategy and ask for it to be built (OFF_PEAK: deferred until the window opens), or drop an
 * index. Either happens wholly or not at all.
 */
@Injectable()
export class IndexActions {
  constructor(private readonly indexes: IndexStrategyService) {}

  async createAndApply(request: SourceIndexRequest, principal: Principal): Promise<IndexActionOutcome> {
    const strategy = await this.indexes.create(
      {
        tableName: request.tableName,
        indexName: request.indexName,
        indexType: 'COMPOSITE',
        columns: request.columns,
        usagePattern: 'ANALYTICS',
        maintenanceWindow: 'OFF_PEAK',
      },
      principal,
    );
    const remove = (): Promise<void> => this.indexes.remove(strategy.id, true, principal);
    let result;
    try {
      result = await this.indexes.apply(strategy.id, principal);
    } catch (error) {
      await remove().catch(() => undefined);
      throw error;
    }
    const what = `Index strategy ${request.indexName} on ${request.tableName} (${request.columns.join(', ')}) created (id ${strategy.id})`;
    const note =
      result.status === 'deferred'
        ? `${what}; its build waits for the off-peak window opening at ${result.windowOpensAt}.`
        : result.status === 'created'
          ? `${what} and built.`
          : `${what}; the index already existed.`;
    return { note, undo: remove };
  }

  async drop(indexStrategyId: string, indexName: string, principal: Principal): Promise<IndexActionOutcome> {
    await this.indexes.dropIndex(indexStrategyId, principal);
    return { note: `Index ${indexName} dropped (index strategy ${indexStrategyId} deactivated).` };
  }
}
