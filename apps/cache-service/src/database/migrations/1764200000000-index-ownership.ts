import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which indexes the service built itself: only those may be dropped through the API (a discovered index, or one
 * made outside the service under a strategy's name, belongs to whoever made it). For rows older than this column
 * it cannot be known: a strategy marked built may have taken over an existing index of the same name (apply and
 * the builder recorded such an index as created, with a creation time, exactly like one they built). So none is
 * marked: an index built before this column is dropped by hand (DROP INDEX CONCURRENTLY), never through the API.
 */
export class IndexOwnership1764200000000 implements MigrationInterface {
  name = 'IndexOwnership1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE index_strategy ADD COLUMN built_by_service BOOLEAN NOT NULL DEFAULT false;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE index_strategy DROP COLUMN built_by_service`);
  }
}
