import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What the seed's cache_warming_job lacks to show live progress of a row-streaming warm and to clean up after it. */
export class WarmingProgress1763800000000 implements MigrationInterface {
  name = 'WarmingProgress1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE cache_warming_job
        ADD COLUMN rows_total BIGINT NOT NULL DEFAULT 0 CHECK (rows_total >= 0),
        ADD COLUMN rows_processed BIGINT NOT NULL DEFAULT 0 CHECK (rows_processed >= 0),
        ADD COLUMN eta_seconds INTEGER CHECK (eta_seconds >= 0),
        ADD COLUMN generation INTEGER,
        ADD COLUMN attempts SMALLINT NOT NULL DEFAULT 0;
      CREATE INDEX idx_warming_job_active ON cache_warming_job (job_status) WHERE job_status IN ('PENDING', 'RUNNING', 'PAUSED');
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX idx_warming_job_active;
      ALTER TABLE cache_warming_job DROP COLUMN rows_total, DROP COLUMN rows_processed, DROP COLUMN eta_seconds,
        DROP COLUMN generation, DROP COLUMN attempts;
    `);
  }
}
