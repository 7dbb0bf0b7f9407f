import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { parseSourceName, tableNameMessage, type SourceName } from './source-name.js';

/** Relation kinds a datasource may read: tables, partitioned tables, views, materialized views. */
export const SOURCE_RELKINDS = ['r', 'p', 'v', 'm'] as const;

/**
 * The allow-list of source schemas (SOURCE_SCHEMAS). Names are compared exactly as pg_namespace spells them: every
 * query quotes them, so `Demo_Analytics` is another schema than `demo_analytics`, and reaches nothing that is not
 * listed. PostgreSQL's own schemas are refused by the configuration, the service's own one at start-up
 * (SourceDatabase). Checked when a datasource, index strategy or threshold is saved and again at every use.
 */
@Injectable()
export class SourcePolicy {
  readonly schemas: readonly string[];
  private readonly allowed: ReadonlySet<string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.schemas = config.sources.schemas;
    this.allowed = new Set(config.sources.schemas);
  }

  /** The parsed name when its schema may be read, else null. */
  allowedName(name: string): SourceName | null {
    const parsed = parseSourceName(name);
    return parsed && this.allowed.has(parsed.schema) ? parsed : null;
  }

  /** The parsed name, or 403 SOURCE_NOT_ALLOWED naming `field` (400 when it is not a table name at all). */
  assertAllowed(name: string, field = 'sourceTable'): SourceName {
    const parsed = parseSourceName(name);
    if (!parsed) throw AppError.invalidField(field, tableNameMessage(field));
    if (!this.allowed.has(parsed.schema)) throw this.notAllowed(parsed.qualified, field);
    return parsed;
  }

  notAllowed(qualified: string, field: string): AppError {
    const message = `${qualified} is outside the source schemas this service may read (${this.schemas.join(', ')}); sources are configured by SOURCE_SCHEMAS`;
    return new AppError('SOURCE_NOT_ALLOWED', message, {
      fields: [{ field, messages: [message] }],
      allowedSchemas: [...this.schemas],
    });
  }
}
