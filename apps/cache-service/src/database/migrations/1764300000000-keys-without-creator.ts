import type { MigrationInterface, QueryRunner } from 'typeorm';

const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000';

/**
 * API keys nobody answers for. Keys minted by an API key or by an identity provider's user were attributed to the
 * system user, and a key of the system user kept every permission it was given, forever: one minted by a key holding
 * only users:manage:all before that was refused still holds settings:write:all (CredentialRevocation only stripped
 * users:manage:all). The service itself never mints keys, so every key of the system user is one of those: revoked.
 * (Keys of real users are not touched: they never do more than their creator's role allows today.)
 * From now on only users of this service mint keys; a key of the system user is refused when presented.
 */
export class KeysWithoutCreator1764300000000 implements MigrationInterface {
  name = 'KeysWithoutCreator1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE api_key SET revoked_at = now() WHERE created_by = $1 AND revoked_at IS NULL`, [
      SYSTEM_USER_ID,
    ]);
  }

  async down(): Promise<void> {
    // Revoked keys stay revoked: un-revoking them would hand back permissions nobody answers for.
  }
}
