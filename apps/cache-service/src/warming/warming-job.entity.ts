import type { JobStatus, RefreshKind, RegionWarmResult, WarmingType } from '@ccc/shared-types';
import type { RefreshRequest } from './refresh-kind.js';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintColumn, decimalColumn } from '../common/column-transformers.js';

@Entity('cache_warming_job')
export class WarmingJobEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'cache_strategy_id', type: 'uuid' })
  cacheStrategyId: string;

  @Column({ name: 'job_name', type: 'varchar', length: 200 })
  jobName: string;

  @Column({
    name: 'warming_type',
    type: 'enum',
    enumName: 'warming_type',
    enum: ['MANUAL', 'SCHEDULED', 'PREDICTIVE', 'WARM_ALL'],
  })
  warmingType: WarmingType;

  @Column({
    name: 'job_status',
    type: 'enum',
    enumName: 'job_status',
    enum: ['PENDING', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'],
  })
  status: JobStatus;

  /** Entries (cache keys) the source should produce; known once the source has been read. */
  @Column({ name: 'total_keys', type: 'integer', default: 0 })
  totalKeys: number;

  @Column({ name: 'warmed_keys', type: 'integer', default: 0 })
  warmedKeys: number;

  @Column({ name: 'failed_keys', type: 'integer', default: 0 })
  failedKeys: number;

  @Column({
    name: 'progress_percentage',
    type: 'decimal',
    precision: 5,
    scale: 2,
    default: 0,
    transformer: decimalColumn,
  })
  progress: number;

  @Column({ name: 'scheduled_at', type: 'timestamptz' })
  scheduledAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'duration_seconds', type: 'integer', nullable: true })
  durationSeconds: number | null;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason: string | null;

  @Column({ name: 'job_configuration', type: 'jsonb', nullable: true })
  configuration: { datasourceId: number; force: boolean; refresh?: RefreshRequest } | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'rows_total', type: 'bigint', default: 0, transformer: bigintColumn })
  rowsTotal: number;

  @Column({ name: 'rows_processed', type: 'bigint', default: 0, transformer: bigintColumn })
  rowsProcessed: number;

  @Column({ name: 'eta_seconds', type: 'integer', nullable: true })
  etaSeconds: number | null;

  @Column({ type: 'integer', nullable: true })
  generation: number | null;

  @Column({ type: 'smallint', default: 0 })
  attempts: number;

  @Column({ name: 'refresh_kind', type: 'varchar', length: 11, nullable: true })
  refreshKind: RefreshKind | null;

  /** Why a full warm ran where an incremental refresh was asked for or possible. */
  @Column({ name: 'refresh_reason', type: 'varchar', length: 300, nullable: true })
  refreshReason: string | null;

  @Column({ name: 'groups_rewritten', type: 'integer', nullable: true })
  groupsRewritten: number | null;

  @Column({ name: 'groups_carried', type: 'integer', nullable: true })
  groupsCarried: number | null;

  @Column({ name: 'groups_deleted', type: 'integer', nullable: true })
  groupsDeleted: number | null;

  /** Per region, how the warm went (datasources warmed into more than `primary`). */
  @Column({ name: 'region_results', type: 'jsonb', nullable: true })
  regionResults: Record<string, RegionWarmResult> | null;
}
