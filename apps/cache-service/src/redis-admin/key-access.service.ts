import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Principal } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import type { KeyAccess } from './key-access.js';

/** The access context of one Redis-tools request: read once per request (these are admin tools, not a hot path). */
@Injectable()
export class KeyAccessService {
  constructor(
    @InjectRepository(CacheStrategyEntity) private readonly strategies: Repository<CacheStrategyEntity>,
    private readonly policy: SourcePolicy,
  ) {}

  async of(actor: Principal): Promise<KeyAccess> {
    const rows = await this.strategies.find({ select: { datasourceId: true, sourceTable: true } });
    const refused = rows.filter((row) => !this.policy.allowedName(row.sourceTable)).map((row) => row.datasourceId);
    return { actor, refusedDatasources: new Set(refused) };
  }
}
