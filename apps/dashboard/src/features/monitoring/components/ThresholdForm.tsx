import {
  THRESHOLD_METRIC_TYPES,
  THRESHOLD_METRICS,
  type CreateThresholdRequest,
  type Datasource,
  type PerformanceThreshold,
  type ThresholdMetricType,
  type UpdateThresholdRequest,
} from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/query-client';
import { useSaveThreshold } from '../hooks/useThresholds';
import { METRIC_LABELS, UNIT_LABELS } from '../labels';
import { directionWords, validateThresholdLevels, type ThresholdField } from '../threshold-rules';
import { DatasourceSelect } from './DatasourceSelect';

interface Values {
  metricType: ThresholdMetricType;
  datasourceId: string;
  tableName: string;
  warningThreshold: string;
  criticalThreshold: string;
  alertEnabled: boolean;
  isActive: boolean;
}

type FieldName = ThresholdField | 'metricType' | 'datasourceId' | 'tableName' | 'thresholdUnit';
const FORM_FIELDS: readonly string[] = [
  'warningThreshold',
  'criticalThreshold',
  'metricType',
  'datasourceId',
  'tableName',
  'thresholdUnit',
];

function initialValues(threshold: PerformanceThreshold | null): Values {
  if (!threshold) {
    return {
      metricType: 'CACHE_HIT_RATIO',
      datasourceId: '',
      tableName: '',
      warningThreshold: '',
      criticalThreshold: '',
      alertEnabled: true,
      isActive: true,
    };
  }
  return {
    metricType: threshold.metricType,
    datasourceId: threshold.datasourceId === null ? '' : String(threshold.datasourceId),
    tableName: threshold.tableName ?? '',
    warningThreshold: String(threshold.warningThreshold),
    criticalThreshold: String(threshold.criticalThreshold),
    alertEnabled: threshold.alertEnabled,
    isActive: threshold.isActive,
  };
}

/** Which scope fields a metric takes: datasource metrics a datasource, table metrics a table (QUERY_TIME both). */
export function scopeFields(metric: ThresholdMetricType): { datasource: boolean; table: boolean } {
  const { scope } = THRESHOLD_METRICS[metric];
  return { datasource: scope === 'datasource', table: scope === 'table' || metric === 'QUERY_TIME' };
}

interface ThresholdFormProps {
  /** null: a new threshold. */
  threshold: PerformanceThreshold | null;
  datasources: Datasource[] | undefined;
  onDone: () => void;
}

/**
 * Create or edit a threshold. The unit comes with the metric; the form says which way the metric
 * alerts and checks that critical is at least as bad as warning before sending, and shows the
 * server's 400 messages beside the fields they name.
 */
export function ThresholdForm({ threshold, datasources, onDone }: ThresholdFormProps) {
  const save = useSaveThreshold();
  const [values, setValues] = useState<Values>(() => initialValues(threshold));
  const [submitted, setSubmitted] = useState(false);
  const editing = threshold !== null;
  const meta = THRESHOLD_METRICS[values.metricType];
  const scope = scopeFields(values.metricType);
  const unit = UNIT_LABELS[meta.unit];
  const words = directionWords(values.metricType);

  const clientErrors = validateThresholdLevels(values.metricType, values.warningThreshold, values.criticalThreshold);
  const serverErrors = save.error instanceof ApiError ? save.error.fieldMessages() : {};
  const fieldError = (field: FieldName): string | undefined =>
    serverErrors[field]?.join(' ') ??
    (submitted && (field === 'warningThreshold' || field === 'criticalThreshold') ? clientErrors[field] : undefined);
  const otherServerErrors = Object.entries(serverErrors).filter(([field]) => !FORM_FIELDS.includes(field));

  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    if (!save.isIdle) save.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(clientErrors).length > 0) return;
    const common = {
      datasourceId: scope.datasource && values.datasourceId ? Number(values.datasourceId) : null,
      tableName: scope.table && values.tableName.trim() ? values.tableName.trim() : null,
      warningThreshold: Number(values.warningThreshold),
      criticalThreshold: Number(values.criticalThreshold),
      alertEnabled: values.alertEnabled,
    };
    if (editing) {
      const body: UpdateThresholdRequest = { ...common, isActive: values.isActive };
      save.mutate({ id: threshold.id, body }, { onSuccess: onDone });
    } else {
      const body: CreateThresholdRequest = { ...common, metricType: values.metricType, thresholdUnit: meta.unit };
      save.mutate({ body }, { onSuccess: onDone });
    }
  };

  const sourceTables = [...new Set((datasources ?? []).map((ds) => ds.sourceTable))].sort();
  const errorText = (field: FieldName) => {
    const message = fieldError(field);
    return message ? (
      <p className="field-error" id={`threshold-${field}-error`} data-testid={`threshold-${field}-error`}>
        {message}
      </p>
    ) : null;
  };
  const describedBy = (field: FieldName, hint?: string) =>
    [fieldError(field) ? `threshold-${field}-error` : null, hint].filter(Boolean).join(' ') || undefined;

  return (
    <form className="card" onSubmit={submit} aria-label={editing ? 'Edit threshold' : 'New threshold'} noValidate>
      <h2>{editing ? `Edit threshold: ${METRIC_LABELS[threshold.metricType]}` : 'New threshold'}</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="threshold-metric">Metric</label>
          <select
            id="threshold-metric"
            value={values.metricType}
            disabled={editing}
            aria-describedby="threshold-metric-hint"
            aria-invalid={fieldError('metricType') ? true : undefined}
            onChange={(event) => set('metricType', event.target.value as ThresholdMetricType)}
          >
            {THRESHOLD_METRIC_TYPES.map((metric) => (
              <option key={metric} value={metric}>
                {METRIC_LABELS[metric]}
              </option>
            ))}
          </select>
          {errorText('metricType')}
        </div>
        {scope.datasource && (
          <div>
            <DatasourceSelect
              id="threshold-datasource"
              label="Datasource"
              allLabel="Every datasource"
              datasources={datasources}
              value={values.datasourceId}
              invalid={Boolean(fieldError('datasourceId'))}
              describedBy={describedBy('datasourceId')}
              onChange={(value) => set('datasourceId', value)}
            />
            {errorText('datasourceId')}
          </div>
        )}
        {scope.table && (
          <div className="field">
            <label htmlFor="threshold-table">
              Table {values.metricType === 'QUERY_TIME' ? '(optional: slow-query threshold)' : '(empty: every table)'}
            </label>
            <input
              id="threshold-table"
              type="text"
              list="threshold-tables"
              value={values.tableName}
              placeholder="demo_analytics.revenue_facts"
              aria-invalid={fieldError('tableName') ? true : undefined}
              aria-describedby={describedBy('tableName')}
              onChange={(event) => set('tableName', event.target.value)}
            />
            <datalist id="threshold-tables">
              {sourceTables.map((table) => (
                <option key={table} value={table} />
              ))}
            </datalist>
            {errorText('tableName')}
          </div>
        )}
      </div>
      <p className="field-hint" id="threshold-metric-hint" data-testid="threshold-direction">
        {meta.description}. Alerts when the value is <strong>{words}</strong> a level; measured in {unit}.
      </p>
      <div className="form-grid">
        {(['warningThreshold', 'criticalThreshold'] as const).map((field) => (
          <div className="field" key={field}>
            <label htmlFor={`threshold-${field}`}>
              {field === 'warningThreshold' ? 'Warning' : 'Critical'}: alert when {words} ({unit})
            </label>
            <div className="input-with-unit">
              <input
                id={`threshold-${field}`}
                type="number"
                step="any"
                min={0}
                max={meta.unit === 'PERCENTAGE' && values.metricType !== 'CACHE_AGE' ? 100 : undefined}
                value={values[field]}
                aria-invalid={fieldError(field) ? true : undefined}
                aria-describedby={describedBy(field)}
                onChange={(event) => set(field, event.target.value)}
              />
              <span className="unit" aria-hidden="true">
                {unit}
              </span>
            </div>
            {errorText(field)}
          </div>
        ))}
      </div>
      <div className="field field-inline">
        <label>
          <input
            type="checkbox"
            checked={values.alertEnabled}
            onChange={(event) => set('alertEnabled', event.target.checked)}
          />{' '}
          Raise alerts
        </label>
        {editing && (
          <label>
            <input
              type="checkbox"
              checked={values.isActive}
              onChange={(event) => set('isActive', event.target.checked)}
            />{' '}
            Active
          </label>
        )}
      </div>
      {save.isError &&
        (otherServerErrors.length > 0 || !(save.error instanceof ApiError && save.error.fields.length > 0)) && (
          <div className="callout callout-error" role="alert">
            <p>{errorMessage(save.error)}</p>
            {otherServerErrors.length > 0 && (
              <ul>
                {otherServerErrors.map(([field, messages]) => (
                  <li key={field}>{messages.join(' ')}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      <div className="form-actions">
        <button type="submit" className="button" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : editing ? 'Save threshold' : 'Create threshold'}
        </button>
        <button type="button" className="button button-secondary" onClick={onDone} disabled={save.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
