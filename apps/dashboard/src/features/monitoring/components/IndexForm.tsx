import {
  INDEX_NAME_PATTERN,
  INDEX_NAME_RULE,
  INDEX_TYPES,
  INDEX_USAGE_PATTERNS,
  MAINTENANCE_WINDOWS,
  type CreateIndexStrategyRequest,
  type Datasource,
  type IndexType,
  type IndexUsagePattern,
  type MaintenanceWindow,
} from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/query-client';
import { useCreateIndexStrategy } from '../hooks/useIndexes';
import { INDEX_TYPE_LABELS, USAGE_PATTERN_LABELS, WINDOW_LABELS } from '../index-labels';

interface Values {
  tableName: string;
  indexName: string;
  indexType: IndexType;
  columns: string;
  whereClause: string;
  usagePattern: IndexUsagePattern;
  maintenanceWindow: MaintenanceWindow;
  scheduledAt: string;
  isMonitoring: boolean;
}

const FIELDS = [
  'tableName',
  'indexName',
  'indexType',
  'columns',
  'whereClause',
  'usagePattern',
  'maintenanceWindow',
  'scheduledAt',
] as const;
type Field = (typeof FIELDS)[number];

export function splitColumns(text: string): string[] {
  return text
    .split(',')
    .map((column) => column.trim())
    .filter(Boolean);
}

/** "demo_analytics.revenue_facts" + ["measure","period_date"] → "idx_revenue_facts_measure_period_date" (max 63). */
export function suggestIndexName(table: string, columns: string[]): string {
  const base = table.split('.').pop() ?? table;
  return `idx_${[base, ...columns].join('_')}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
}

function clientErrors(values: Values): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  if (!values.tableName) errors.tableName = 'Choose the table to index.';
  if (!INDEX_NAME_PATTERN.test(values.indexName)) errors.indexName = `Use ${INDEX_NAME_RULE}.`;
  const columns = splitColumns(values.columns);
  if (columns.length === 0) errors.columns = 'Name at least one column.';
  if (values.indexType === 'PARTIAL' && !values.whereClause.trim())
    errors.whereClause = 'A partial index needs a condition.';
  if (values.maintenanceWindow === 'SCHEDULED' && !values.scheduledAt)
    errors.scheduledAt = 'Choose when the index may be built.';
  return errors;
}

/** A new index strategy on a datasource's source table; the service builds the CREATE INDEX itself. */
export function IndexForm({ datasources, onDone }: { datasources: Datasource[] | undefined; onDone: () => void }) {
  const create = useCreateIndexStrategy();
  const [values, setValues] = useState<Values>({
    tableName: '',
    indexName: '',
    indexType: 'BTREE',
    columns: '',
    whereClause: '',
    usagePattern: 'LOOKUP',
    maintenanceWindow: 'IMMEDIATE',
    scheduledAt: '',
    isMonitoring: true,
  });
  const [nameTouched, setNameTouched] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const tables = (datasources ?? []).map((ds) => ({
    table: ds.sourceTable,
    name: ds.name,
    columns: Object.values(ds.columnMapping),
  }));
  const tableColumns = tables.find((t) => t.table === values.tableName)?.columns ?? [];

  const local = clientErrors(values);
  const server = create.error instanceof ApiError ? create.error.fieldMessages() : {};
  const error = (field: Field) => server[field]?.join(' ') ?? (submitted ? local[field] : undefined);
  const otherServer = Object.entries(server).filter(([field]) => !(FIELDS as readonly string[]).includes(field));

  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    setValues((current) => {
      const next = { ...current, [key]: value };
      if (!nameTouched && (key === 'tableName' || key === 'columns') && next.tableName) {
        next.indexName = suggestIndexName(next.tableName, splitColumns(next.columns));
      }
      return next;
    });
    if (!create.isIdle) create.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(local).length > 0) return;
    const body: CreateIndexStrategyRequest = {
      tableName: values.tableName,
      indexName: values.indexName,
      indexType: values.indexType,
      columns: splitColumns(values.columns),
      whereClause: values.indexType === 'PARTIAL' ? values.whereClause.trim() : null,
      usagePattern: values.usagePattern,
      maintenanceWindow: values.maintenanceWindow,
      scheduledAt: values.maintenanceWindow === 'SCHEDULED' ? new Date(values.scheduledAt).toISOString() : null,
      isMonitoring: values.isMonitoring,
    };
    create.mutate(body, { onSuccess: onDone });
  };

  const fieldError = (field: Field) => {
    const message = error(field);
    return message ? (
      <p className="field-error" id={`index-${field}-error`} data-testid={`index-${field}-error`}>
        {message}
      </p>
    ) : null;
  };
  const a11y = (field: Field) => ({
    'aria-invalid': error(field) ? true : undefined,
    'aria-describedby': error(field) ? `index-${field}-error` : undefined,
  });

  return (
    <form className="card" aria-label="New index strategy" onSubmit={submit} noValidate>
      <h2>New index strategy</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="index-table">Table</label>
          <select
            id="index-table"
            value={values.tableName}
            onChange={(event) => set('tableName', event.target.value)}
            {...a11y('tableName')}
          >
            <option value="">Choose a datasource table…</option>
            {tables.map((t) => (
              <option key={t.table} value={t.table}>
                {t.table} ({t.name})
              </option>
            ))}
          </select>
          {fieldError('tableName')}
        </div>
        <div className="field">
          <label htmlFor="index-columns">Columns (comma-separated, in order)</label>
          <input
            id="index-columns"
            type="text"
            value={values.columns}
            placeholder={tableColumns.slice(0, 2).join(', ') || 'measure, period_date'}
            onChange={(event) => set('columns', event.target.value)}
            {...a11y('columns')}
          />
          {tableColumns.length > 0 && <p className="field-hint">Columns of this table: {tableColumns.join(', ')}</p>}
          {fieldError('columns')}
        </div>
        <div className="field">
          <label htmlFor="index-name">Index name</label>
          <input
            id="index-name"
            type="text"
            value={values.indexName}
            onChange={(event) => {
              setNameTouched(true);
              set('indexName', event.target.value);
            }}
            {...a11y('indexName')}
          />
          {fieldError('indexName')}
        </div>
        <div className="field">
          <label htmlFor="index-type">Type</label>
          <select
            id="index-type"
            value={values.indexType}
            onChange={(event) => set('indexType', event.target.value as IndexType)}
            {...a11y('indexType')}
          >
            {INDEX_TYPES.map((type) => (
              <option key={type} value={type}>
                {INDEX_TYPE_LABELS[type]}
              </option>
            ))}
          </select>
          {fieldError('indexType')}
        </div>
        {values.indexType === 'PARTIAL' && (
          <div className="field">
            <label htmlFor="index-where">Condition (WHERE)</label>
            <input
              id="index-where"
              type="text"
              value={values.whereClause}
              placeholder="frequency = 'Daily'"
              onChange={(event) => set('whereClause', event.target.value)}
              {...a11y('whereClause')}
            />
            <p className="field-hint">column op literal [AND …], or column IS [NOT] NULL</p>
            {fieldError('whereClause')}
          </div>
        )}
        <div className="field">
          <label htmlFor="index-usage">Used for</label>
          <select
            id="index-usage"
            value={values.usagePattern}
            onChange={(event) => set('usagePattern', event.target.value as IndexUsagePattern)}
            {...a11y('usagePattern')}
          >
            {INDEX_USAGE_PATTERNS.map((pattern) => (
              <option key={pattern} value={pattern}>
                {USAGE_PATTERN_LABELS[pattern]}
              </option>
            ))}
          </select>
          {fieldError('usagePattern')}
        </div>
        <div className="field">
          <label htmlFor="index-window">Build window</label>
          <select
            id="index-window"
            value={values.maintenanceWindow}
            onChange={(event) => set('maintenanceWindow', event.target.value as MaintenanceWindow)}
            {...a11y('maintenanceWindow')}
          >
            {MAINTENANCE_WINDOWS.map((window) => (
              <option key={window} value={window}>
                {WINDOW_LABELS[window]}
              </option>
            ))}
          </select>
          {fieldError('maintenanceWindow')}
        </div>
        {values.maintenanceWindow === 'SCHEDULED' && (
          <div className="field">
            <label htmlFor="index-scheduled">Build at (local time)</label>
            <input
              id="index-scheduled"
              type="datetime-local"
              value={values.scheduledAt}
              onChange={(event) => set('scheduledAt', event.target.value)}
              {...a11y('scheduledAt')}
            />
            {fieldError('scheduledAt')}
          </div>
        )}
      </div>
      <div className="field field-inline">
        <label>
          <input
            type="checkbox"
            checked={values.isMonitoring}
            onChange={(event) => set('isMonitoring', event.target.checked)}
          />{' '}
          Monitor its usage
        </label>
      </div>
      {create.isError &&
        (otherServer.length > 0 || !(create.error instanceof ApiError && create.error.fields.length > 0)) && (
          <div className="callout callout-error" role="alert">
            <p>{errorMessage(create.error)}</p>
            {otherServer.length > 0 && (
              <ul>
                {otherServer.map(([field, messages]) => (
                  <li key={field}>{messages.join(' ')}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      <div className="form-actions">
        <button type="submit" className="button" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create strategy'}
        </button>
        <button type="button" className="button button-secondary" onClick={onDone} disabled={create.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
