import type { CacheAlertType, RemediationActionType, RemediationMinSeverity } from '@ccc/shared-types';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { decimalColumn } from '../common/column-transformers.js';

/** A remediation rule (migration 1764500000000): which action to take for which open alerts. */
@Entity('remediation_rule')
export class RemediationRuleEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'alert_type', type: 'varchar' })
  alertType: CacheAlertType;

  @Column({ name: 'min_severity', type: 'varchar', length: 10 })
  minSeverity: RemediationMinSeverity;

  /** The datasource (cache strategy) the rule is for; null = every datasource. */
  @Column({ name: 'cache_strategy_id', type: 'uuid', nullable: true })
  cacheStrategyId: string | null;

  @Column({ type: 'varchar', length: 30 })
  action: RemediationActionType;

  @Column({
    name: 'ttl_factor',
    type: 'decimal',
    precision: 6,
    scale: 2,
    nullable: true,
    transformer: decimalColumn,
  })
  ttlFactor: number | null;

  @Column({ name: 'max_ttl_seconds', type: 'int', nullable: true })
  maxTtlSeconds: number | null;

  /** INVALIDATE_REGION: the region (migration 1764900000000). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  region: string | null;

  @Column({ name: 'cooldown_seconds', type: 'int' })
  cooldownSeconds: number;

  @Column({ name: 'max_failed_attempts', type: 'smallint' })
  maxFailedAttempts: number;

  @Column({ name: 'dry_run', type: 'boolean' })
  dryRun: boolean;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
