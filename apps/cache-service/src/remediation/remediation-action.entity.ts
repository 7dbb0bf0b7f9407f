import type { CacheAlertType, RemediationActionType, RemediationOutcome } from '@ccc/shared-types';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One action a rule took, or would have taken in dry-run (migration 1764500000000). */
@Entity('remediation_action')
export class RemediationActionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'rule_id', type: 'uuid', nullable: true })
  ruleId: string | null;

  @Column({ name: 'rule_name', type: 'varchar', length: 100 })
  ruleName: string;

  @Column({ name: 'alert_id', type: 'uuid', nullable: true })
  alertId: string | null;

  @Column({ name: 'alert_type', type: 'varchar' })
  alertType: CacheAlertType;

  @Column({ name: 'cache_strategy_id', type: 'uuid', nullable: true })
  cacheStrategyId: string | null;

  @Column({ type: 'varchar', length: 30 })
  action: RemediationActionType;

  @Column({ type: 'varchar', length: 10 })
  outcome: RemediationOutcome;

  @Column({ type: 'varchar', length: 1000 })
  detail: string;

  @Column({ name: 'warm_job_id', type: 'uuid', nullable: true })
  warmJobId: string | null;

  @Column({ name: 'previous_value', type: 'jsonb', nullable: true })
  previousValue: Record<string, unknown> | null;

  @Column({ name: 'new_value', type: 'jsonb', nullable: true })
  newValue: Record<string, unknown> | null;

  @Column({ name: 'undone_at', type: 'timestamptz', nullable: true })
  undoneAt: Date | null;

  @Column({ name: 'undone_by', type: 'uuid', nullable: true })
  undoneBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
