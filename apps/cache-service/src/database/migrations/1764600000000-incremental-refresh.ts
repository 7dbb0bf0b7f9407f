import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial cache updates (issue 15, part 1). A datasource says how a refresh finds changes (`none`: full warms as
 * before; `watermark`: an updated_at-style column; `cdc`: logical replication) and after how many incremental refreshes
 * a full warm runs anyway. A warming job records which kind ran, why a full one was chosen, and how many groups it
 * rewrote, carried over and deleted (NULL on jobs from before).
 */
export class IncrementalRefresh1764600000000 implements MigrationInterface {
  name = 'IncrementalRefresh1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE cache_strategy
        ADD COLUMN change_detection VARCHAR(10) NOT NULL DEFAULT 'none'
          CHECK (change_detection IN ('none', 'watermark', 'cdc')),
        ADD COLUMN watermark_column VARCHAR(63),
        ADD COLUMN full_refresh_every INTEGER NOT NULL DEFAULT 24 CHECK (full_refresh_every BETWEEN 1 AND 10000),
        ADD CONSTRAINT cache_strategy_watermark_column_check
          CHECK (change_detection <> 'watermark' OR watermark_column IS NOT NULL);
      ALTER TABLE cache_warming_job
        ADD COLUMN refresh_kind VARCHAR(11) CHECK (refresh_kind IN ('full', 'incremental')),
        ADD COLUMN refresh_reason VARCHAR(300),
        ADD COLUMN groups_rewritten INTEGER,
        ADD COLUMN groups_carried INTEGER,
        ADD COLUMN groups_deleted INTEGER;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE cache_warming_job
        DROP COLUMN refresh_kind, DROP COLUMN refresh_reason,
        DROP COLUMN groups_rewritten, DROP COLUMN groups_carried, DROP COLUMN groups_deleted;
      ALTER TABLE cache_strategy
        DROP CONSTRAINT cache_strategy_watermark_column_check,
        DROP COLUMN change_detection, DROP COLUMN watermark_column, DROP COLUMN full_refresh_every;
    `);
  }
}
