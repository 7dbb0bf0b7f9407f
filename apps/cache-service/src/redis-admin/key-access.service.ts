import { Injectable } from '@nestjs/common';
import type { Principal } from '@ccc/shared-types';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import type { KeyAccess } from './key-access.js';

/** The access context of one Redis-tools request: read once per request (these are admin tools, not a hot path). */
@Injectable()
export class KeyAccessService {
  constructor(
    private readonly datasources: DatasourcesService,
    private readonly policy: SourcePolicy,
  ) {}

  async of(actor: Principal): Promise<KeyAccess> {
    const rows = await this.datasources.entities();
    const refused = rows.filter((row) => !this.policy.allowedName(row.sourceTable)).map((row) => row.datasourceId);
    return { actor, refusedDatasources: new Set(refused) };
  }
}
