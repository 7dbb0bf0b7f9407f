import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which indexes the service built itself: only those may be dropped through the API (a discovered index, or one
 * made outside the service under a strategy's name, belongs to whoever made it). Strategies created here and
 * marked built before this column existed were built by the service: the API refused names already taken.
 */
export class IndexOwnership1764200000000 implements MigrationInterface {
  name = 'IndexOwnership1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE index_strategy ADD COLUMN built_by_service BOOLEAN NOT NULL DEFAULT false;
      UPDATE index_strategy SET built_by_service = true WHERE NOT discovered AND is_created AND created_in_db_at IS NOT NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE index_strategy DROP COLUMN built_by_service`);
  }
}
