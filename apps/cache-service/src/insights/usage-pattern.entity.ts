import type { CacheResourceType } from '@ccc/shared-types';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintColumn, decimalColumn } from '../common/column-transformers.js';

/** One UTC day of one datasource's query-API traffic (seed 000's `cache_usage_pattern`). */
@Entity('cache_usage_pattern')
export class UsagePatternEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'cache_strategy_id', type: 'uuid' })
  cacheStrategyId: string;

  @Column({
    name: 'resource_type',
    type: 'enum',
    enumName: 'cache_resource_type',
    enum: ['ANALYTICS_DATASOURCE', 'QUERY_RESULT', 'INDEX_SET'],
  })
  resourceType: CacheResourceType;

  @Column({ name: 'access_pattern', type: 'varchar', length: 200 })
  accessPattern: string;

  @Column({ name: 'peak_hour_start', type: 'smallint' })
  peakHourStart: number;

  @Column({ name: 'peak_hour_end', type: 'smallint' })
  peakHourEnd: number;

  @Column({ name: 'average_hit_rate', type: 'decimal', precision: 5, scale: 2, transformer: decimalColumn })
  averageHitRate: number;

  @Column({ name: 'peak_hit_rate', type: 'decimal', precision: 5, scale: 2, transformer: decimalColumn })
  peakHitRate: number;

  @Column({ name: 'optimal_ttl_seconds', type: 'integer' })
  optimalTtlSeconds: number;

  @Column({ name: 'daily_requests', type: 'bigint', default: 0, transformer: bigintColumn })
  dailyRequests: number;

  @Column({ name: 'daily_cache_hits', type: 'bigint', default: 0, transformer: bigintColumn })
  dailyCacheHits: number;

  @Column({ name: 'hourly_requests', type: 'jsonb', default: () => "'[]'::jsonb" })
  hourlyRequests: number[];

  @Column({ name: 'hourly_hits', type: 'jsonb', default: () => "'[]'::jsonb" })
  hourlyHits: number[];

  /** YYYY-MM-DD (kept as a string: a DATE has no time zone). */
  @Column({ name: 'analysis_date', type: 'date' })
  analysisDate: string;

  @Column({ name: 'calculated_at', type: 'timestamptz', default: () => 'now()' })
  calculatedAt: Date;
}
