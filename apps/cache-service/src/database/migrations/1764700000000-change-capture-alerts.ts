import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Change data capture (issue 15): a threshold metric for a CDC datasource's replication slot (WAL it retains; a slot
 * found dropped or given up counts as critical) and the alert it raises, with its global default for an existing
 * deployment (start-up writes the defaults only into an empty table; a new one gets it there). Outside a transaction:
 * a value added to an enum cannot be used in the transaction that added it. `down` deletes what uses the values;
 * PostgreSQL cannot drop an enum value, and an unused one is harmless.
 */
export class ChangeCaptureAlerts1764700000000 implements MigrationInterface {
  name = 'ChangeCaptureAlerts1764700000000';
  transaction = false as const;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TYPE threshold_metric_type ADD VALUE IF NOT EXISTS 'CDC_SLOT_LAG'`);
    await queryRunner.query(`ALTER TYPE cache_alert_type ADD VALUE IF NOT EXISTS 'CDC_SLOT_UNHEALTHY'`);
    await queryRunner.query(`
      INSERT INTO performance_threshold (metric_type, warning_threshold, critical_threshold, threshold_unit, alert_enabled, created_by, is_active)
      SELECT 'CDC_SLOT_LAG', 67108864, 268435456, 'BYTES', true, '00000000-0000-0000-0000-000000000000', true
      WHERE EXISTS (SELECT 1 FROM performance_threshold)
        AND NOT EXISTS (SELECT 1 FROM performance_threshold WHERE metric_type = 'CDC_SLOT_LAG')
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM performance_threshold WHERE metric_type::text = 'CDC_SLOT_LAG'`);
    await queryRunner.query(`DELETE FROM cache_performance_alert WHERE alert_type::text = 'CDC_SLOT_UNHEALTHY'`);
  }
}
