import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credentials that can be taken back and keys that cannot administer:
 * - app_user.token_version is carried in every token the service issues; raising it (password change or reset, disable,
 *   role change, logout) ends every earlier token of the account.
 * - no API key may hold users:manage:all (user and key administration is for signed-in users only): keys that held only
 *   that permission are revoked, the others lose it, and a check keeps it out.
 */
export class CredentialRevocation1764100000000 implements MigrationInterface {
  name = 'CredentialRevocation1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE app_user ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0 CONSTRAINT chk_app_user_token_version CHECK (token_version >= 0);
      UPDATE api_key SET revoked_at = COALESCE(revoked_at, now()) WHERE permissions = ARRAY['users:manage:all']::text[];
      UPDATE api_key SET permissions = array_remove(permissions, 'users:manage:all') WHERE 'users:manage:all' = ANY (permissions) AND cardinality(permissions) > 1;
      ALTER TABLE api_key ADD CONSTRAINT chk_api_key_no_user_admin CHECK (NOT ('users:manage:all' = ANY (permissions)) OR revoked_at IS NOT NULL);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE api_key DROP CONSTRAINT chk_api_key_no_user_admin;
      ALTER TABLE app_user DROP COLUMN token_version;
    `);
  }
}
