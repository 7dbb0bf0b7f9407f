import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remediation rules gain the action INVALIDATE_REGION (issue 16): a rule drops the alert's datasource's cache in one
 * Redis region, named by `region` (required for that action, refused for the others, as the TTL fields are).
 */
export class RemediationInvalidateRegion1764900000000 implements MigrationInterface {
  name = 'RemediationInvalidateRegion1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE remediation_rule DROP CONSTRAINT remediation_rule_action_check;
      ALTER TABLE remediation_rule ADD CONSTRAINT remediation_rule_action_check CHECK (action IN
        ('WARM', 'WARM_FORCE', 'RAISE_STALENESS_TTL', 'PAUSE_SCHEDULE', 'INVALIDATE_REGION', 'NOTIFY_ONLY'));
      ALTER TABLE remediation_rule ADD COLUMN region VARCHAR(32);
      ALTER TABLE remediation_rule ADD CONSTRAINT remediation_rule_region_check
        CHECK ((action = 'INVALIDATE_REGION') = (region IS NOT NULL));
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM remediation_rule WHERE action = 'INVALIDATE_REGION';
      ALTER TABLE remediation_rule DROP CONSTRAINT remediation_rule_region_check;
      ALTER TABLE remediation_rule DROP COLUMN region;
      ALTER TABLE remediation_rule DROP CONSTRAINT remediation_rule_action_check;
      ALTER TABLE remediation_rule ADD CONSTRAINT remediation_rule_action_check CHECK (action IN
        ('WARM', 'WARM_FORCE', 'RAISE_STALENESS_TTL', 'PAUSE_SCHEDULE', 'NOTIFY_ONLY'));
    `);
  }
}
