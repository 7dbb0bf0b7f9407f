import type { ChangeDetection, ColumnMapping } from '@ccc/shared-types';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The analytics cache layer every datasource belongs to (created by the initial migration). */
export const ANALYTICS_CACHE_LAYER_ID = '00000000-0000-0000-0000-00000000c001';

/** One datasource and how it is cached (seed 000's `cache_strategy`). */
@Entity('cache_strategy')
export class CacheStrategyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({
    name: 'datasource_id',
    type: 'integer',
    generated: 'identity',
    generatedIdentity: 'BY DEFAULT',
    insert: false,
    update: false,
  })
  datasourceId: number;

  @Column({ name: 'cache_layer_id', type: 'uuid' })
  cacheLayerId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'source_table', type: 'varchar', length: 200 })
  sourceTable: string;

  @Column({ name: 'column_mapping', type: 'jsonb' })
  columnMapping: ColumnMapping;

  @Column({ name: 'staleness_ttl_seconds', type: 'integer', default: 14400 })
  stalenessTtlSeconds: number;

  @Column({ name: 'min_warm_interval_seconds', type: 'integer', default: 300 })
  minWarmIntervalSeconds: number;

  @Column({ name: 'warm_schedule', type: 'varchar', length: 100, nullable: true })
  warmSchedule: string | null;

  @Column({ name: 'is_enabled', type: 'boolean', default: true })
  isEnabled: boolean;

  @Column({ name: 'change_detection', type: 'varchar', length: 10, default: 'none' })
  changeDetection: ChangeDetection;

  @Column({ name: 'watermark_column', type: 'varchar', length: 63, nullable: true })
  watermarkColumn: string | null;

  @Column({ name: 'full_refresh_every', type: 'integer', default: 24 })
  fullRefreshEvery: number;

  /** Redis regions warms write into; `primary` always, first. */
  @Column({ type: 'text', array: true, default: () => "'{primary}'" })
  regions: string[];

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
