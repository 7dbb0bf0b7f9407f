import type { ImplementationStatus, RecommendationPriority, RecommendationType } from '@ccc/shared-types';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { decimalColumn } from '../common/column-transformers.js';

/** One optimization recommendation and its approval workflow (seed 000's `cache_optimization_recommendation`). */
@Entity('cache_optimization_recommendation')
export class RecommendationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'cache_strategy_id', type: 'uuid' })
  cacheStrategyId: string;

  @Column({
    name: 'recommendation_type',
    type: 'enum',
    enumName: 'recommendation_type',
    enum: [
      'ADJUST_TTL',
      'WARMING_SCHEDULE',
      'PREDICTIVE_WARMING',
      'ADD_SOURCE_INDEX',
      'DROP_UNUSED_INDEX',
      'INCREASE_MEMORY',
    ],
  })
  recommendationType: RecommendationType;

  @Column({ type: 'enum', enumName: 'recommendation_priority', enum: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] })
  priority: RecommendationPriority;

  @Column({ name: 'recommendation_description', type: 'text' })
  recommendationDescription: string;

  @Column({ name: 'current_configuration', type: 'jsonb' })
  currentConfiguration: Record<string, unknown>;

  @Column({ name: 'recommended_configuration', type: 'jsonb' })
  recommendedConfiguration: Record<string, unknown>;

  @Column({ name: 'estimated_improvement', type: 'decimal', precision: 10, scale: 2, transformer: decimalColumn })
  estimatedImprovement: number;

  @Column({ name: 'improvement_metric', type: 'varchar', length: 50 })
  improvementMetric: string;

  @Column({
    name: 'implementation_status',
    type: 'enum',
    enumName: 'implementation_status',
    enum: ['PENDING', 'APPROVED', 'REJECTED', 'IMPLEMENTED'],
    default: 'PENDING',
  })
  implementationStatus: ImplementationStatus;

  @Column({ name: 'target_key', type: 'varchar', length: 200, default: '' })
  targetKey: string;

  @Column({ name: 'approved_by', type: 'uuid', nullable: true })
  approvedBy: string | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  @Column({ name: 'rejected_by', type: 'uuid', nullable: true })
  rejectedBy: string | null;

  @Column({ name: 'rejected_at', type: 'timestamptz', nullable: true })
  rejectedAt: Date | null;

  @Column({ name: 'implemented_by', type: 'uuid', nullable: true })
  implementedBy: string | null;

  @Column({ name: 'implemented_at', type: 'timestamptz', nullable: true })
  implementedAt: Date | null;

  @Column({ name: 'implementation_notes', type: 'text', nullable: true })
  implementationNotes: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
