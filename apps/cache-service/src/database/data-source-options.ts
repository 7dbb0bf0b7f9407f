import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ENTITIES } from './entities.js';
import { InitialSchema1763700000000 } from './migrations/1763700000000-initial-schema.js';
import { WarmingProgress1763800000000 } from './migrations/1763800000000-warming-progress.js';
import { Monitoring1763900000000 } from './migrations/1763900000000-monitoring.js';
import { CredentialRevocation1764100000000 } from './migrations/1764100000000-credential-revocation.js';
import { IndexOwnership1764200000000 } from './migrations/1764200000000-index-ownership.js';
import { KeysWithoutCreator1764300000000 } from './migrations/1764300000000-keys-without-creator.js';
import { Remediation1764500000000 } from './migrations/1764500000000-remediation.js';
import { IncrementalRefresh1764600000000 } from './migrations/1764600000000-incremental-refresh.js';
import { ChangeCaptureAlerts1764700000000 } from './migrations/1764700000000-change-capture-alerts.js';
import { CacheRegions1764800000000 } from './migrations/1764800000000-cache-regions.js';
import { RemediationInvalidateRegion1764900000000 } from './migrations/1764900000000-remediation-invalidate-region.js';

export const MIGRATIONS = [
  InitialSchema1763700000000,
  WarmingProgress1763800000000,
  Monitoring1763900000000,
  CredentialRevocation1764100000000,
  IndexOwnership1764200000000,
  KeysWithoutCreator1764300000000,
  Remediation1764500000000,
  IncrementalRefresh1764600000000,
  ChangeCaptureAlerts1764700000000,
  CacheRegions1764800000000,
  RemediationInvalidateRegion1764900000000,
];

/** One definition of the metadata database connection, for the app, the CLI and the tests. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    connectTimeoutMS: 5000,
    extra: { max: 10, connectionTimeoutMillis: 5000, application_name: 'cache-command-center' },
    // Failed queries surface as exceptions (logged by the exception filter when they are ours).
    logging: false,
  };
}
