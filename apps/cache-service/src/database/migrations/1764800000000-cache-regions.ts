import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Multi-region caches (issue 15, part 3). A datasource names the Redis regions its warms write into (`primary`, the
 * REDIS_URL, always); a warming job records how each region went (NULL on jobs of single-region datasources).
 */
export class CacheRegions1764800000000 implements MigrationInterface {
  name = 'CacheRegions1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE cache_strategy ADD COLUMN regions TEXT[] NOT NULL DEFAULT '{primary}';
      ALTER TABLE cache_warming_job ADD COLUMN region_results JSONB;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE cache_warming_job DROP COLUMN region_results;
      ALTER TABLE cache_strategy DROP COLUMN regions;
    `);
  }
}
