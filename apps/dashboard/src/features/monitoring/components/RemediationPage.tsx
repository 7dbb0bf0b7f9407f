import '../monitoring.css';
import type { RemediationAction, RemediationRule } from '@ccc/shared-types';
import { useState } from 'react';
import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { ActionDialog } from '../../../components/ui/Dialog';
import { datasourceLabel, formatDateTime } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../../datasources/hooks/useDatasources';
import {
  useDeleteRemediationRule,
  useRemediationActions,
  useRemediationRules,
  useUndoRemediationAction,
} from '../hooks/useRemediation';
import { ALERT_TYPE_LABELS } from '../labels';
import { formatCooldown, REMEDIATION_ACTION_LABELS, REMEDIATION_OUTCOME_META } from '../remediation-labels';
import { ApiErrorMessage } from './ApiErrorMessage';
import { RemediationRuleDialog } from './RemediationRuleDialog';
import { EditDeleteButtons } from './RowActions';

const scope = (rule: { datasourceId: number | null; datasourceName: string | null }): string =>
  rule.datasourceId === null ? 'Every datasource' : datasourceLabel(rule.datasourceId, rule.datasourceName);

function actionText(rule: RemediationRule): string {
  const label = REMEDIATION_ACTION_LABELS[rule.action];
  return rule.action === 'RAISE_STALENESS_TTL' ? `${label} ×${rule.ttlFactor}, at most ${rule.maxTtlSeconds} s` : label;
}

const RULE_COLUMNS: Array<Column<RemediationRule>> = [
  {
    id: 'name',
    header: 'Rule',
    rowHeader: true,
    cell: (rule) => <strong>{rule.name}</strong>,
    sortValue: (r) => r.name,
  },
  {
    id: 'when',
    header: 'When',
    cell: (rule) => (
      <>
        {ALERT_TYPE_LABELS[rule.alertType]}
        <div className="small muted">
          {rule.minSeverity === 'CRITICAL' ? 'critical only' : 'warning or critical'} · {scope(rule)}
        </div>
      </>
    ),
  },
  { id: 'action', header: 'Action', cell: actionText },
  {
    id: 'guardrails',
    header: 'Guardrails',
    cell: (rule) =>
      `cool-down ${formatCooldown(rule.cooldownSeconds)} · escalate after ${rule.maxFailedAttempts} failed warm(s)`,
  },
  {
    id: 'mode',
    header: 'Mode',
    cell: (rule) =>
      !rule.enabled ? (
        <Badge tone="neutral">Disabled</Badge>
      ) : rule.dryRun ? (
        <Badge tone="info">Dry run</Badge>
      ) : (
        <Badge tone="ok">Active</Badge>
      ),
  },
];

function actionColumns(undo: (action: RemediationAction) => void, canWrite: boolean): Array<Column<RemediationAction>> {
  return [
    { id: 'at', header: 'When', cell: (a) => formatDateTime(a.createdAt), sortValue: (a) => a.createdAt },
    { id: 'rule', header: 'Rule', cell: (a) => a.ruleName },
    {
      id: 'outcome',
      header: 'Outcome',
      cell: (a) => (
        <Badge tone={REMEDIATION_OUTCOME_META[a.outcome].tone}>{REMEDIATION_OUTCOME_META[a.outcome].label}</Badge>
      ),
    },
    {
      id: 'detail',
      header: 'What',
      cell: (a) => (
        <>
          {a.detail}
          {a.warmStatus && <div className="small muted">warm {a.warmStatus.toLowerCase()}</div>}
          {a.undoneAt && <div className="small muted">undone {formatDateTime(a.undoneAt)}</div>}
        </>
      ),
    },
    {
      id: 'undo',
      header: 'Undo',
      hideHeader: true,
      cell: (a) =>
        canWrite && a.undoable ? (
          <button
            type="button"
            className="button button-small button-secondary"
            aria-label={`Undo: ${a.detail}`}
            onClick={() => undo(a)}
          >
            Undo
          </button>
        ) : null,
    },
  ];
}

/** Remediation rules, the actions they took and what dry-run rules would have done. */
export function RemediationPage() {
  const canWrite = useCanWriteSettings();
  const rules = useRemediationRules();
  const recent = useRemediationActions({ pageSize: 25 });
  const dryRuns = useRemediationActions({ outcome: 'DRY_RUN', pageSize: 25 });
  const datasources = useDatasources();
  const [editing, setEditing] = useState<RemediationRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RemediationRule | null>(null);
  const [undoing, setUndoing] = useState<RemediationAction | null>(null);
  const remove = useDeleteRemediationRule();
  const undo = useUndoRemediationAction();

  const ruleActions: Column<RemediationRule> = {
    id: 'actions',
    header: 'Actions',
    hideHeader: true,
    cell: (rule) => (
      <div className="row-actions">
        <EditDeleteButtons label={rule.name} onEdit={() => setEditing(rule)} onDelete={() => setDeleting(rule)} />
      </div>
    ),
  };
  const columns = actionColumns(setUndoing, canWrite);

  return (
    <section aria-labelledby="page-title" className="monitoring-page">
      <div className="page-header">
        <h1 id="page-title">Remediation</h1>
        {canWrite && (
          <button type="button" className="button" onClick={() => setEditing('new')}>
            New rule
          </button>
        )}
      </div>
      <p className="muted">
        Rules act on open alerts after each evaluation: warm a datasource, raise its staleness TTL, pause its schedule,
        or only record. Each action is audited as done by its rule and shown on the alert’s timeline.
      </p>

      <DataTable
        label="Remediation rules"
        testId="remediation-rules-table"
        columns={canWrite ? [...RULE_COLUMNS, ruleActions] : RULE_COLUMNS}
        rows={rules.data}
        rowKey={(rule) => rule.id}
        rowProps={(rule) => ({ 'data-testid': `remediation-rule-${rule.id}` })}
        loading={rules.isPending}
        loadingLabel="Loading rules…"
        error={rules.error}
        emptyTestId="no-remediation-rules"
        empty={`No rules yet${canWrite ? ': create one with “New rule” — e.g. warm a datasource when its hit rate is low.' : '.'}`}
      />

      <h2 className="page-section">Recent actions</h2>
      <DataTable
        label="Recent remediation actions"
        testId="remediation-actions-table"
        columns={columns}
        rows={recent.data?.items}
        rowKey={(a) => a.id}
        rowProps={(a) => ({ 'data-testid': `remediation-action-${a.id}` })}
        loading={recent.isPending}
        loadingLabel="Loading actions…"
        error={recent.error}
        emptyTestId="no-remediation-actions"
        empty="No rule has acted yet."
      />

      <h2 className="page-section">Dry-run results</h2>
      <DataTable
        label="Dry-run results"
        testId="remediation-dry-runs-table"
        columns={columns.filter((c) => c.id !== 'undo' && c.id !== 'outcome')}
        rows={dryRuns.data?.items}
        rowKey={(a) => a.id}
        loading={dryRuns.isPending}
        loadingLabel="Loading dry-run results…"
        error={dryRuns.error}
        emptyTestId="no-remediation-dry-runs"
        empty="No dry-run rule has matched an alert yet."
      />

      {editing !== null && (
        <RemediationRuleDialog
          key={editing === 'new' ? 'new' : editing.id}
          rule={editing === 'new' ? null : editing}
          datasources={datasources.data}
          onDone={() => setEditing(null)}
        />
      )}
      {deleting && (
        <ActionDialog
          title={`Delete the rule “${deleting.name}”?`}
          confirmLabel="Delete"
          pendingLabel="Deleting…"
          tone="danger"
          pending={remove.isPending}
          error={remove.isError ? <ApiErrorMessage error={remove.error} /> : null}
          onCancel={() => {
            remove.reset();
            setDeleting(null);
          }}
          onConfirm={() => remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
          description={<p>It stops acting at once; the actions it took stay listed under its name.</p>}
        />
      )}
      {undoing && (
        <ActionDialog
          title="Undo this action?"
          confirmLabel="Undo"
          pendingLabel="Undoing…"
          pending={undo.isPending}
          error={undo.isError ? <ApiErrorMessage error={undo.error} /> : null}
          onCancel={() => {
            undo.reset();
            setUndoing(null);
          }}
          onConfirm={() => undo.mutate(undoing.id, { onSuccess: () => setUndoing(null) })}
          description={
            <p>
              {undoing.detail}. The previous value ({JSON.stringify(undoing.previousValue)}) is put back, unless the
              setting was changed again since.
            </p>
          }
        />
      )}
    </section>
  );
}
