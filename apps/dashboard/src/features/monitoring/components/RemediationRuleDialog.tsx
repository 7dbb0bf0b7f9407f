import {
  CACHE_ALERT_TYPES,
  REMEDIATION_ACTION_TYPES,
  REMEDIATION_LIMITS,
  type CacheAlertType,
  type CreateRemediationRuleRequest,
  type Datasource,
  type RemediationActionType,
  type RemediationMinSeverity,
  type RemediationRule,
} from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { Dialog } from '../../../components/ui/Dialog';
import { ApiError } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/query-client';
import { useSaveRemediationRule } from '../hooks/useRemediation';
import { ALERT_TYPE_LABELS } from '../labels';
import { REMEDIATION_ACTION_LABELS } from '../remediation-labels';
import { DatasourceSelect } from './DatasourceSelect';

interface Values {
  name: string;
  alertType: CacheAlertType;
  minSeverity: RemediationMinSeverity;
  datasourceId: string;
  action: RemediationActionType;
  ttlFactor: string;
  maxTtlSeconds: string;
  region: string;
  cooldownSeconds: string;
  maxFailedAttempts: string;
  dryRun: boolean;
  enabled: boolean;
}

type Field = keyof Values;
const FIELDS: readonly string[] = [
  'name',
  'alertType',
  'minSeverity',
  'datasourceId',
  'action',
  'ttlFactor',
  'maxTtlSeconds',
  'region',
  'cooldownSeconds',
  'maxFailedAttempts',
];

function initialValues(rule: RemediationRule | null): Values {
  return {
    name: rule?.name ?? '',
    alertType: rule?.alertType ?? 'HIT_RATE_LOW',
    minSeverity: rule?.minSeverity ?? 'WARNING',
    datasourceId: rule?.datasourceId ? String(rule.datasourceId) : '',
    action: rule?.action ?? 'WARM',
    ttlFactor: rule?.ttlFactor ? String(rule.ttlFactor) : '2',
    maxTtlSeconds: rule?.maxTtlSeconds ? String(rule.maxTtlSeconds) : '86400',
    region: rule?.region ?? 'primary',
    cooldownSeconds: String(rule?.cooldownSeconds ?? 900),
    maxFailedAttempts: String(rule?.maxFailedAttempts ?? 3),
    dryRun: rule?.dryRun ?? false,
    enabled: rule?.enabled ?? true,
  };
}

/** Whole numbers within bounds, checked before sending (the server checks the same and names the field). */
function clientErrors(values: Values): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  const whole = (field: Field, min: number, max: number) => {
    const n = Number(values[field]);
    if (String(values[field]).trim() === '' || !Number.isInteger(n) || n < min || n > max)
      errors[field] = `A whole number from ${min} to ${max}.`;
  };
  if (!values.name.trim()) errors.name = 'A name is required.';
  whole('cooldownSeconds', REMEDIATION_LIMITS.cooldownSeconds.min, REMEDIATION_LIMITS.cooldownSeconds.max);
  whole('maxFailedAttempts', REMEDIATION_LIMITS.maxFailedAttempts.min, REMEDIATION_LIMITS.maxFailedAttempts.max);
  if (values.action === 'RAISE_STALENESS_TTL') {
    const factor = Number(values.ttlFactor);
    const { min, max } = REMEDIATION_LIMITS.ttlFactor;
    if (values.ttlFactor.trim() === '' || !(factor >= min && factor <= max))
      errors.ttlFactor = `A factor from ${min} to ${max}.`;
    whole('maxTtlSeconds', REMEDIATION_LIMITS.maxTtlSeconds.min, REMEDIATION_LIMITS.maxTtlSeconds.max);
  }
  if (values.action === 'INVALIDATE_REGION' && !values.region.trim()) errors.region = 'A region is required.';
  return errors;
}

interface Props {
  /** null: a new rule. */
  rule: RemediationRule | null;
  datasources: Datasource[] | undefined;
  onDone: () => void;
}

/** Create or edit a remediation rule in a dialog; the server's 400 messages appear beside the fields they name. */
export function RemediationRuleDialog({ rule, datasources, onDone }: Props) {
  const save = useSaveRemediationRule();
  const [values, setValues] = useState<Values>(() => initialValues(rule));
  const [submitted, setSubmitted] = useState(false);
  const local = clientErrors(values);
  const server = save.error instanceof ApiError ? save.error.fieldMessages() : {};
  const fieldError = (field: Field): string | undefined =>
    server[field]?.join(' ') ?? (submitted ? local[field] : undefined);
  const otherErrors = Object.entries(server).filter(([field]) => !FIELDS.includes(field));
  const raises = values.action === 'RAISE_STALENESS_TTL';
  const invalidates = values.action === 'INVALIDATE_REGION';
  // The regions the datasources are warmed into (the server refuses one REDIS_REGIONS does not name).
  const knownRegions = [...new Set((datasources ?? []).flatMap((d) => d.regions))].sort();

  const set = <K extends Field>(key: K, value: Values[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    if (!save.isIdle) save.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(local).length > 0) return;
    const body: CreateRemediationRuleRequest = {
      name: values.name.trim(),
      alertType: values.alertType,
      minSeverity: values.minSeverity,
      datasourceId: values.datasourceId ? Number(values.datasourceId) : null,
      action: values.action,
      ttlFactor: raises ? Number(values.ttlFactor) : null,
      maxTtlSeconds: raises ? Number(values.maxTtlSeconds) : null,
      region: invalidates ? values.region.trim() : null,
      cooldownSeconds: Number(values.cooldownSeconds),
      maxFailedAttempts: Number(values.maxFailedAttempts),
      dryRun: values.dryRun,
      enabled: values.enabled,
    };
    save.mutate(rule ? { id: rule.id, body } : { body }, { onSuccess: onDone });
  };

  const error = (field: Field) => {
    const message = fieldError(field);
    return message ? (
      <p className="field-error" id={`rule-${field}-error`} data-testid={`rule-${field}-error`}>
        {message}
      </p>
    ) : null;
  };
  const aria = (field: Field) => ({
    'aria-invalid': fieldError(field) ? true : undefined,
    'aria-describedby': fieldError(field) ? `rule-${field}-error` : undefined,
  });
  const numberField = (field: Field, label: string, step = '1') => (
    <div className="field">
      <label htmlFor={`rule-${field}`}>{label}</label>
      <input
        id={`rule-${field}`}
        type="number"
        inputMode="decimal"
        step={step}
        value={String(values[field])}
        {...aria(field)}
        onChange={(event) => set(field, event.target.value as never)}
      />
      {error(field)}
    </div>
  );

  return (
    <Dialog
      title={rule ? `Edit rule: ${rule.name}` : 'New remediation rule'}
      description="When an alert of this type is open, the rule acts — within its cool-down, the hourly limit, and never beside a running warm."
      onClose={onDone}
      dismissible={!save.isPending}
      onSubmit={submit}
      wide
      testId="remediation-rule-dialog"
      footer={
        <>
          <button type="button" className="button button-secondary" data-dialog-cancel onClick={onDone}>
            Cancel
          </button>
          <button type="submit" className="button" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}
          </button>
        </>
      }
    >
      <div className="form-grid">
        <div className="field">
          <label htmlFor="rule-name">Name</label>
          <input
            id="rule-name"
            type="text"
            maxLength={REMEDIATION_LIMITS.nameMaxLength}
            value={values.name}
            {...aria('name')}
            onChange={(event) => set('name', event.target.value)}
          />
          {error('name')}
        </div>
        <div className="field">
          <label htmlFor="rule-alertType">Alert type</label>
          <select
            id="rule-alertType"
            value={values.alertType}
            {...aria('alertType')}
            onChange={(event) => set('alertType', event.target.value as CacheAlertType)}
          >
            {CACHE_ALERT_TYPES.map((type) => (
              <option key={type} value={type}>
                {ALERT_TYPE_LABELS[type]}
              </option>
            ))}
          </select>
          {error('alertType')}
        </div>
        <div className="field">
          <label htmlFor="rule-minSeverity">Acts from</label>
          <select
            id="rule-minSeverity"
            value={values.minSeverity}
            onChange={(event) => set('minSeverity', event.target.value as RemediationMinSeverity)}
          >
            <option value="WARNING">Warning</option>
            <option value="CRITICAL">Critical only</option>
          </select>
        </div>
        <div>
          <DatasourceSelect
            id="rule-datasource"
            label="Datasource"
            allLabel="Every datasource"
            datasources={datasources}
            value={values.datasourceId}
            invalid={Boolean(fieldError('datasourceId'))}
            describedBy={fieldError('datasourceId') ? 'rule-datasourceId-error' : undefined}
            onChange={(value) => set('datasourceId', value)}
          />
          {error('datasourceId')}
        </div>
        <div className="field">
          <label htmlFor="rule-action">Action</label>
          <select
            id="rule-action"
            value={values.action}
            {...aria('action')}
            onChange={(event) => set('action', event.target.value as RemediationActionType)}
          >
            {REMEDIATION_ACTION_TYPES.map((action) => (
              <option key={action} value={action}>
                {REMEDIATION_ACTION_LABELS[action]}
              </option>
            ))}
          </select>
          {error('action')}
        </div>
        {raises && numberField('ttlFactor', 'Multiply the TTL by', '0.1')}
        {raises && numberField('maxTtlSeconds', 'Never above (seconds)')}
        {invalidates && (
          <div className="field">
            <label htmlFor="rule-region">Region</label>
            <input
              id="rule-region"
              type="text"
              maxLength={32}
              list="rule-region-options"
              value={values.region}
              {...aria('region')}
              onChange={(event) => set('region', event.target.value)}
            />
            <datalist id="rule-region-options">
              {knownRegions.map((name) => (
                <option key={name} value={name} />
              ))}
            </datalist>
            {error('region')}
          </div>
        )}
        {numberField('cooldownSeconds', 'Cool-down (seconds)')}
        {numberField('maxFailedAttempts', 'Failed warms before escalating')}
      </div>
      <div className="field field-inline">
        <label>
          <input type="checkbox" checked={values.dryRun} onChange={(event) => set('dryRun', event.target.checked)} />{' '}
          Dry run: record what it would do, change nothing
        </label>
      </div>
      <div className="field field-inline">
        <label>
          <input type="checkbox" checked={values.enabled} onChange={(event) => set('enabled', event.target.checked)} />{' '}
          Enabled
        </label>
      </div>
      {otherErrors.length > 0 && (
        <p className="field-error" role="alert">
          {otherErrors.map(([field, messages]) => `${field}: ${messages.join(' ')}`).join(' ')}
        </p>
      )}
      {save.error && !(save.error instanceof ApiError && save.error.fields.length > 0) && (
        <p className="field-error" role="alert" data-testid="rule-save-error">
          {errorMessage(save.error)}
        </p>
      )}
    </Dialog>
  );
}
