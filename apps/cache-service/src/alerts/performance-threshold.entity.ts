import type { ThresholdMetricType, ThresholdUnit } from '@ccc/shared-types';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { decimalColumn } from '../common/column-transformers.js';

/** Seed 003's `performance_threshold`, with the datasource scope migration 1763900000000 added. */
@Entity('performance_threshold')
export class PerformanceThresholdEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({
    name: 'metric_type',
    type: 'enum',
    enumName: 'threshold_metric_type',
    enum: [
      'QUERY_TIME',
      'INDEX_SCAN_RATIO',
      'TABLE_SIZE',
      'CACHE_HIT_RATIO',
      'CONNECTION_COUNT',
      'DEADLOCK_COUNT',
      'CACHE_MEMORY_SHARE',
      'CACHE_AGE',
      'WARMING_FAILURES',
      'EVICTION_RATE',
      'CDC_SLOT_LAG',
    ],
  })
  metricType: ThresholdMetricType;

  @Column({ name: 'table_name', type: 'varchar', length: 100, nullable: true })
  tableName: string | null;

  /** The datasource (cache strategy) the threshold applies to; null = every datasource. */
  @Column({ name: 'cache_strategy_id', type: 'uuid', nullable: true })
  cacheStrategyId: string | null;

  @Column({ name: 'warning_threshold', type: 'decimal', precision: 18, scale: 4, transformer: decimalColumn })
  warningThreshold: number;

  @Column({ name: 'critical_threshold', type: 'decimal', precision: 18, scale: 4, transformer: decimalColumn })
  criticalThreshold: number;

  @Column({
    name: 'threshold_unit',
    type: 'enum',
    enumName: 'threshold_unit',
    enum: ['MILLISECONDS', 'PERCENTAGE', 'COUNT', 'BYTES', 'RATIO'],
  })
  thresholdUnit: ThresholdUnit;

  @Column({ name: 'alert_enabled', type: 'boolean', default: true })
  alertEnabled: boolean;

  @Column({ name: 'alert_configuration', type: 'jsonb', nullable: true })
  alertConfiguration: Record<string, unknown> | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;
}
