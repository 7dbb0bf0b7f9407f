import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What seeds 000 and 003 lack for the monitoring features to work (issue 5):
 * - thresholds for cache metrics (memory share, cache age, warming failures, evictions) and a datasource
 *   scope; hit rate and index-scan ratio get worse downwards, so for them critical ≤ warning — the seed's
 *   `critical ≥ warning` check becomes direction-aware under the same name;
 * - alert types for seed 003's database metrics, and what the alert lifecycle needs to be auditable and to
 *   stop repeat notifications once acknowledged (comment, who resolved, notification bookkeeping, history);
 * - the 24 hourly counts behind a usage pattern (the heat-map), a recommendation's target (one open
 *   recommendation per target) and who rejected / implemented it;
 * - the datasource a logged query belongs to; index strategies' window bookkeeping; index flags.
 */
export class Monitoring1763900000000 implements MigrationInterface {
  name = 'Monitoring1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TYPE threshold_metric_type ADD VALUE 'CACHE_MEMORY_SHARE';
      ALTER TYPE threshold_metric_type ADD VALUE 'CACHE_AGE';
      ALTER TYPE threshold_metric_type ADD VALUE 'WARMING_FAILURES';
      ALTER TYPE threshold_metric_type ADD VALUE 'EVICTION_RATE';
      ALTER TYPE cache_alert_type ADD VALUE 'INDEX_SCAN_RATIO_LOW';
      ALTER TYPE cache_alert_type ADD VALUE 'TABLE_SIZE_HIGH';
      ALTER TYPE cache_alert_type ADD VALUE 'CONNECTION_COUNT_HIGH';
      ALTER TYPE cache_alert_type ADD VALUE 'DEADLOCK_COUNT_HIGH';

      ALTER TABLE performance_threshold
        ADD COLUMN cache_strategy_id UUID REFERENCES cache_strategy(id) ON DELETE CASCADE,
        DROP CONSTRAINT chk_threshold_order,
        ADD CONSTRAINT chk_threshold_order CHECK (
          CASE WHEN metric_type IN ('CACHE_HIT_RATIO', 'INDEX_SCAN_RATIO')
            THEN critical_threshold <= warning_threshold
            ELSE critical_threshold >= warning_threshold
          END
        );
      CREATE INDEX idx_perf_threshold_strategy ON performance_threshold (cache_strategy_id) WHERE cache_strategy_id IS NOT NULL;
      -- One active threshold per metric and scope, so the evaluator never has to pick between two.
      CREATE UNIQUE INDEX uq_perf_threshold_active ON performance_threshold
        (metric_type, COALESCE(cache_strategy_id, '00000000-0000-0000-0000-000000000000'::uuid), COALESCE(table_name, ''))
        WHERE is_active;

      ALTER TABLE cache_performance_alert
        ADD COLUMN acknowledgement_comment TEXT CHECK (char_length(acknowledgement_comment) <= 1000),
        ADD COLUMN resolved_by UUID REFERENCES app_user(id),
        ADD COLUMN last_evaluated_at TIMESTAMPTZ,
        ADD COLUMN last_notified_at TIMESTAMPTZ,
        ADD COLUMN notified_severity alert_severity,
        ADD COLUMN history JSONB NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
      CREATE INDEX idx_cache_alert_strategy ON cache_performance_alert (cache_strategy_id, triggered_at DESC);

      ALTER TABLE cache_usage_pattern
        ADD COLUMN hourly_requests JSONB NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN hourly_hits JSONB NOT NULL DEFAULT '[]'::jsonb;
      CREATE INDEX idx_usage_pattern_date ON cache_usage_pattern (analysis_date DESC);

      ALTER TABLE cache_optimization_recommendation
        ADD COLUMN target_key VARCHAR(200) NOT NULL DEFAULT '',
        ADD COLUMN rejected_by UUID REFERENCES app_user(id),
        ADD COLUMN rejected_at TIMESTAMPTZ,
        ADD COLUMN implemented_by UUID REFERENCES app_user(id);
      -- One open (pending or approved) recommendation per target.
      CREATE UNIQUE INDEX uq_recommendation_open ON cache_optimization_recommendation (cache_strategy_id, recommendation_type, target_key)
        WHERE implementation_status IN ('PENDING', 'APPROVED');

      ALTER TABLE query_performance_log
        ADD COLUMN cache_strategy_id UUID REFERENCES cache_strategy(id) ON DELETE SET NULL;
      CREATE INDEX idx_query_perf_strategy ON query_performance_log (cache_strategy_id, executed_at DESC);
      -- Time-window reads and retention; the seed's time index is partial (execution_time_ms > 100).
      CREATE INDEX idx_query_perf_executed ON query_performance_log (executed_at DESC);

      ALTER TABLE index_strategy
        ADD COLUMN scheduled_at TIMESTAMPTZ,
        ADD COLUMN apply_requested_at TIMESTAMPTZ,
        ADD COLUMN created_in_db_at TIMESTAMPTZ,
        ADD COLUMN last_error TEXT CHECK (char_length(last_error) <= 2000),
        ADD COLUMN discovered BOOLEAN NOT NULL DEFAULT false;

      ALTER TABLE index_usage_stats
        ADD COLUMN is_unique BOOLEAN NOT NULL DEFAULT false,
        ADD COLUMN is_primary BOOLEAN NOT NULL DEFAULT false;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE index_usage_stats DROP COLUMN is_unique, DROP COLUMN is_primary;
      ALTER TABLE index_strategy DROP COLUMN scheduled_at, DROP COLUMN apply_requested_at, DROP COLUMN created_in_db_at,
        DROP COLUMN last_error, DROP COLUMN discovered;
      DROP INDEX idx_query_perf_strategy;
      DROP INDEX idx_query_perf_executed;
      ALTER TABLE query_performance_log DROP COLUMN cache_strategy_id;
      DROP INDEX uq_recommendation_open;
      ALTER TABLE cache_optimization_recommendation DROP COLUMN target_key, DROP COLUMN rejected_by, DROP COLUMN rejected_at,
        DROP COLUMN implemented_by;
      DROP INDEX idx_usage_pattern_date;
      ALTER TABLE cache_usage_pattern DROP COLUMN hourly_requests, DROP COLUMN hourly_hits;
      DROP INDEX idx_cache_alert_strategy;
      ALTER TABLE cache_performance_alert DROP COLUMN acknowledgement_comment, DROP COLUMN resolved_by,
        DROP COLUMN last_evaluated_at, DROP COLUMN last_notified_at, DROP COLUMN notified_severity, DROP COLUMN history,
        DROP COLUMN updated_at;
      DROP INDEX idx_perf_threshold_strategy;
      DROP INDEX uq_perf_threshold_active;

      -- PostgreSQL cannot drop enum values: rows using the added ones go, then the types are rebuilt.
      DELETE FROM performance_threshold WHERE metric_type::text IN ('CACHE_MEMORY_SHARE', 'CACHE_AGE', 'WARMING_FAILURES', 'EVICTION_RATE');
      DELETE FROM cache_performance_alert WHERE alert_type::text IN ('INDEX_SCAN_RATIO_LOW', 'TABLE_SIZE_HIGH', 'CONNECTION_COUNT_HIGH', 'DEADLOCK_COUNT_HIGH');
      -- Downward thresholds (critical below warning) cannot be expressed under the seed's check.
      DELETE FROM performance_threshold WHERE critical_threshold < warning_threshold;
      ALTER TABLE performance_threshold DROP CONSTRAINT chk_threshold_order, DROP COLUMN cache_strategy_id;
      DROP INDEX idx_perf_threshold_metric;
      ALTER TYPE threshold_metric_type RENAME TO threshold_metric_type_old;
      CREATE TYPE threshold_metric_type AS ENUM ('QUERY_TIME', 'INDEX_SCAN_RATIO', 'TABLE_SIZE', 'CACHE_HIT_RATIO', 'CONNECTION_COUNT', 'DEADLOCK_COUNT');
      ALTER TABLE performance_threshold ALTER COLUMN metric_type TYPE threshold_metric_type USING metric_type::text::threshold_metric_type;
      DROP TYPE threshold_metric_type_old;
      ALTER TABLE performance_threshold ADD CONSTRAINT chk_threshold_order CHECK (critical_threshold >= warning_threshold);
      CREATE INDEX idx_perf_threshold_metric ON performance_threshold (metric_type, table_name, is_active);

      DROP INDEX uq_cache_alert_open;
      ALTER TYPE cache_alert_type RENAME TO cache_alert_type_old;
      CREATE TYPE cache_alert_type AS ENUM ('HIT_RATE_LOW', 'QUERY_TIME_HIGH', 'MEMORY_USAGE_HIGH', 'CACHE_STALE', 'WARMING_FAILED', 'EVICTION_RATE_HIGH');
      ALTER TABLE cache_performance_alert ALTER COLUMN alert_type TYPE cache_alert_type USING alert_type::text::cache_alert_type;
      DROP TYPE cache_alert_type_old;
      CREATE UNIQUE INDEX uq_cache_alert_open ON cache_performance_alert
        (cache_layer_id, COALESCE(cache_strategy_id, '00000000-0000-0000-0000-000000000000'::uuid), alert_type)
        WHERE alert_status <> 'RESOLVED';
    `);
  }
}
