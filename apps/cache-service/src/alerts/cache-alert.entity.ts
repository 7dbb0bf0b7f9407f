import type { AlertEvent, AlertSeverity, AlertStatus, CacheAlertType } from '@ccc/shared-types';
import { CACHE_ALERT_TYPES } from '@ccc/shared-types';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { decimalColumn } from '../common/column-transformers.js';

/** Seed 000's `cache_performance_alert`, with the lifecycle columns migration 1763900000000 added. */
@Entity('cache_performance_alert')
export class CacheAlertEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'cache_layer_id', type: 'uuid' })
  cacheLayerId: string;

  @Column({ name: 'cache_strategy_id', type: 'uuid', nullable: true })
  cacheStrategyId: string | null;

  @Column({ name: 'alert_type', type: 'enum', enumName: 'cache_alert_type', enum: [...CACHE_ALERT_TYPES] })
  alertType: CacheAlertType;

  @Column({ type: 'enum', enumName: 'alert_severity', enum: ['INFO', 'WARNING', 'CRITICAL'] })
  severity: AlertSeverity;

  @Column({ name: 'alert_message', type: 'text' })
  alertMessage: string;

  @Column({ name: 'threshold_value', type: 'decimal', precision: 18, scale: 4, transformer: decimalColumn })
  thresholdValue: number;

  @Column({ name: 'actual_value', type: 'decimal', precision: 18, scale: 4, transformer: decimalColumn })
  actualValue: number;

  @Column({ name: 'alert_context', type: 'jsonb', nullable: true })
  alertContext: Record<string, unknown> | null;

  @Column({
    name: 'alert_status',
    type: 'enum',
    enumName: 'alert_status',
    enum: ['ACTIVE', 'ACKNOWLEDGED', 'RESOLVED'],
    default: 'ACTIVE',
  })
  alertStatus: AlertStatus;

  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true })
  acknowledgedBy: string | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'acknowledgement_comment', type: 'text', nullable: true })
  acknowledgementComment: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  /** Null on a resolved alert = resolved automatically (the metric recovered). */
  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'triggered_at', type: 'timestamptz', default: () => 'now()' })
  triggeredAt: Date;

  @Column({ name: 'last_evaluated_at', type: 'timestamptz', nullable: true })
  lastEvaluatedAt: Date | null;

  /** When the last notification was queued (repeat notifications count from here). */
  @Column({ name: 'last_notified_at', type: 'timestamptz', nullable: true })
  lastNotifiedAt: Date | null;

  @Column({
    name: 'notified_severity',
    type: 'enum',
    enumName: 'alert_severity',
    enum: ['INFO', 'WARNING', 'CRITICAL'],
    nullable: true,
  })
  notifiedSeverity: AlertSeverity | null;

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  history: AlertEvent[];

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
