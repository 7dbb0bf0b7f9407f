import type { IndexType, IndexUsagePattern, MaintenanceWindow } from '@ccc/shared-types';
import { INDEX_TYPES, INDEX_USAGE_PATTERNS, MAINTENANCE_WINDOWS } from '@ccc/shared-types';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An index on a datasource's source table, managed or discovered (seed 003's `index_strategy`). */
@Entity('index_strategy')
export class IndexStrategyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Schema-qualified source table. */
  @Column({ name: 'table_name', type: 'varchar', length: 100 })
  tableName: string;

  @Column({ name: 'index_name', type: 'varchar', length: 100 })
  indexName: string;

  @Column({ name: 'index_type', type: 'enum', enumName: 'index_type', enum: [...INDEX_TYPES] })
  indexType: IndexType;

  @Column({ name: 'index_definition', type: 'text' })
  indexDefinition: string;

  @Column({ type: 'jsonb' })
  columns: string[];

  @Column({ name: 'where_clause', type: 'text', nullable: true })
  whereClause: string | null;

  @Column({ name: 'usage_pattern', type: 'enum', enumName: 'index_usage_pattern', enum: [...INDEX_USAGE_PATTERNS] })
  usagePattern: IndexUsagePattern;

  @Column({ name: 'maintenance_window', type: 'enum', enumName: 'maintenance_window', enum: [...MAINTENANCE_WINDOWS] })
  maintenanceWindow: MaintenanceWindow;

  @Column({ name: 'scheduled_at', type: 'timestamptz', nullable: true })
  scheduledAt: Date | null;

  @Column({ name: 'is_created', type: 'boolean', default: false })
  isCreated: boolean;

  @Column({ name: 'is_monitoring', type: 'boolean', default: true })
  isMonitoring: boolean;

  @Column({ name: 'apply_requested_at', type: 'timestamptz', nullable: true })
  applyRequestedAt: Date | null;

  @Column({ name: 'created_in_db_at', type: 'timestamptz', nullable: true })
  createdInDatabaseAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'boolean', default: false })
  discovered: boolean;

  /** Set only when the service's own CREATE INDEX produced the index: the only indexes the API may drop. */
  @Column({ name: 'built_by_service', type: 'boolean', default: false })
  builtByService: boolean;

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
