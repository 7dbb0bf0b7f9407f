import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintColumn as bigint, decimalColumn as decimal } from '../common/column-transformers.js';

/** One day's usage of one index (seed 003's `index_usage_stats`; one row per strategy and UTC day). */
@Entity('index_usage_stats')
export class IndexUsageStatsEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'index_strategy_id', type: 'uuid' })
  indexStrategyId: string;

  @Column({ name: 'table_name', type: 'varchar', length: 100 })
  tableName: string;

  @Column({ name: 'index_name', type: 'varchar', length: 100 })
  indexName: string;

  @Column({ name: 'total_scans', type: 'bigint', default: 0, transformer: bigint })
  totalScans: number;

  @Column({ name: 'total_tuples_read', type: 'bigint', default: 0, transformer: bigint })
  totalTuplesRead: number;

  @Column({ name: 'total_tuples_fetched', type: 'bigint', default: 0, transformer: bigint })
  totalTuplesFetched: number;

  @Column({ name: 'avg_scan_time_ms', type: 'decimal', precision: 14, scale: 3, default: 0, transformer: decimal })
  avgScanTimeMs: number;

  @Column({ name: 'selectivity_ratio', type: 'decimal', precision: 7, scale: 6, default: 0, transformer: decimal })
  selectivityRatio: number;

  @Column({ name: 'index_size_bytes', type: 'bigint', default: 0, transformer: bigint })
  indexSizeBytes: number;

  @Column({
    name: 'maintenance_cost_score',
    type: 'decimal',
    precision: 10,
    scale: 2,
    default: 0,
    transformer: decimal,
  })
  maintenanceCostScore: number;

  @Column({ name: 'is_recommended_for_drop', type: 'boolean', default: false })
  isRecommendedForDrop: boolean;

  @Column({ name: 'is_unique', type: 'boolean', default: false })
  isUnique: boolean;

  @Column({ name: 'is_primary', type: 'boolean', default: false })
  isPrimary: boolean;

  /** YYYY-MM-DD (UTC). */
  @Column({ name: 'stats_date', type: 'date' })
  statsDate: string;

  @Column({ name: 'last_analyzed', type: 'timestamptz', default: () => 'now()' })
  lastAnalyzed: Date;
}
