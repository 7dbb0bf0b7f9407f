import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remediation rules (issue 16): what the service does by itself for an open alert, and the actions it took.
 * `remediation_action` keeps the rule's name, so an action stays readable after its rule is deleted; an action's
 * datasource and alert go with them. The audit trail gains the actor kind `rule` (an action taken by a rule).
 */
export class Remediation1764500000000 implements MigrationInterface {
  name = 'Remediation1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE remediation_rule (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        name VARCHAR(100) NOT NULL,
        alert_type cache_alert_type NOT NULL,
        min_severity VARCHAR(10) NOT NULL DEFAULT 'WARNING' CHECK (min_severity IN ('WARNING', 'CRITICAL')),
        cache_strategy_id UUID REFERENCES cache_strategy(id) ON DELETE CASCADE,
        action VARCHAR(30) NOT NULL
          CHECK (action IN ('WARM', 'WARM_FORCE', 'RAISE_STALENESS_TTL', 'PAUSE_SCHEDULE', 'NOTIFY_ONLY')),
        ttl_factor NUMERIC(6, 2) CHECK (ttl_factor IS NULL OR ttl_factor BETWEEN 1.1 AND 10),
        max_ttl_seconds INTEGER CHECK (max_ttl_seconds IS NULL OR max_ttl_seconds BETWEEN 60 AND 2592000),
        cooldown_seconds INTEGER NOT NULL DEFAULT 900 CHECK (cooldown_seconds BETWEEN 0 AND 604800),
        max_failed_attempts SMALLINT NOT NULL DEFAULT 3 CHECK (max_failed_attempts BETWEEN 1 AND 20),
        dry_run BOOLEAN NOT NULL DEFAULT false,
        enabled BOOLEAN NOT NULL DEFAULT true,
        created_by UUID NOT NULL REFERENCES app_user(id),
        updated_by UUID REFERENCES app_user(id),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CHECK ((action = 'RAISE_STALENESS_TTL') = (ttl_factor IS NOT NULL AND max_ttl_seconds IS NOT NULL))
      );
      -- One rule per (alert type, scope, action): a second would only double the actions.
      CREATE UNIQUE INDEX uq_remediation_rule_scope ON remediation_rule
        (alert_type, COALESCE(cache_strategy_id, '00000000-0000-0000-0000-000000000000'::uuid), action);
      CREATE TABLE remediation_action (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        rule_id UUID REFERENCES remediation_rule(id) ON DELETE SET NULL,
        rule_name VARCHAR(100) NOT NULL,
        alert_id UUID REFERENCES cache_performance_alert(id) ON DELETE SET NULL,
        alert_type cache_alert_type NOT NULL,
        cache_strategy_id UUID REFERENCES cache_strategy(id) ON DELETE CASCADE,
        action VARCHAR(30) NOT NULL,
        outcome VARCHAR(10) NOT NULL CHECK (outcome IN ('DONE', 'DRY_RUN', 'FAILED', 'ESCALATED')),
        detail VARCHAR(1000) NOT NULL,
        warm_job_id UUID,
        previous_value JSONB,
        new_value JSONB,
        undone_at TIMESTAMPTZ,
        undone_by UUID REFERENCES app_user(id),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX idx_remediation_action_rule ON remediation_action (rule_id, created_at DESC);
      CREATE INDEX idx_remediation_action_created ON remediation_action (created_at DESC);
      -- A rule gives up on an alert once: a second escalation by another replica is refused here.
      CREATE UNIQUE INDEX uq_remediation_action_escalated ON remediation_action (rule_id, alert_id)
        WHERE outcome = 'ESCALATED';
      ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
      ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
        CHECK (actor_kind IN ('user', 'api_key', 'anonymous', 'rule'));
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The audit trail is append-only: rows written by rules stay, so the old check is not validated against them.
    await queryRunner.query(`
      ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
      ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
        CHECK (actor_kind IN ('user', 'api_key', 'anonymous')) NOT VALID;
      DROP TABLE remediation_action;
      DROP TABLE remediation_rule;
    `);
  }
}
