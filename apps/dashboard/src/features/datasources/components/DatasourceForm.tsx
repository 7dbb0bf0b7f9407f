import {
  CHANGE_DETECTION_MODES,
  CRON_MAX_LENGTH,
  DATASOURCE_LIMITS,
  type ChangeDetection,
  type CreateDatasourceRequest,
} from '@ccc/shared-types';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../../../lib/api-client';
import { formatDuration } from '../../../lib/format';
import { errorMessage } from '../../../lib/query-client';
import {
  COLUMN_MAPPING_FIELDS,
  toDatasourceRequest,
  validateDatasourceForm,
  type DatasourceFormValues,
  type FieldMessages,
} from './datasource-form-values';

interface DatasourceFormProps {
  initialValues: DatasourceFormValues;
  /** Render the values without any way to change them (users without settings:write:all). */
  readOnly?: boolean;
  submitLabel?: string;
  pending?: boolean;
  /** The last save's error; an ApiError's field errors are shown beside the matching inputs. */
  error?: unknown;
  onSubmit?: (request: CreateDatasourceRequest) => void;
  /** Called on every edit, e.g. to hide an earlier "Saved" confirmation. */
  onEdit?: () => void;
}

const CHANGE_DETECTION_LABELS: Record<ChangeDetection, string> = {
  none: 'None: every refresh re-reads the source',
  watermark: 'Watermark column',
  cdc: 'Change data capture (logical replication)',
};

const fieldId = (field: string) => `ds-${field.replace('.', '-')}`;

/** Order in which fields appear, to focus the first invalid one and to spot unknown server fields. */
const FIELD_ORDER = [
  'name',
  'description',
  'sourceTable',
  'enabled',
  'columnMapping',
  ...COLUMN_MAPPING_FIELDS.map((field) => `columnMapping.${field}`),
  'stalenessTtlSeconds',
  'minWarmIntervalSeconds',
  'warmSchedule',
  'changeDetection',
  'watermarkColumn',
  'fullRefreshEvery',
];

export function DatasourceForm({
  initialValues,
  readOnly = false,
  submitLabel = 'Save',
  pending = false,
  error,
  onSubmit,
  onEdit,
}: DatasourceFormProps) {
  const [values, setValues] = useState(initialValues);
  const [submitAttempted, setSubmitAttempted] = useState(false);

  const clientErrors = submitAttempted ? validateDatasourceForm(values) : {};
  const serverError = error instanceof ApiError ? error : null;
  const serverErrors: FieldMessages = serverError?.fieldMessages() ?? {};
  const unplacedServerErrors = Object.entries(serverErrors).filter(([field]) => !FIELD_ORDER.includes(field));
  const messagesFor = (field: string) => [...(clientErrors[field] ?? []), ...(serverErrors[field] ?? [])];
  const hasClientErrors = Object.keys(clientErrors).length > 0;

  const update = (change: (current: DatasourceFormValues) => DatasourceFormValues) => {
    setValues(change);
    onEdit?.();
  };
  const setField = <K extends Exclude<keyof DatasourceFormValues, 'columnMapping'>>(
    key: K,
    value: DatasourceFormValues[K],
  ) => update((current) => ({ ...current, [key]: value }));
  const setMapping = (key: keyof DatasourceFormValues['columnMapping'], value: string) =>
    update((current) => ({ ...current, columnMapping: { ...current.columnMapping, [key]: value } }));

  const handleSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitAttempted(true);
    const errors = validateDatasourceForm(values);
    const firstInvalid = FIELD_ORDER.find((field) => errors[field]);
    if (firstInvalid) {
      document.getElementById(fieldId(firstInvalid))?.focus();
      return;
    }
    onSubmit?.(toDatasourceRequest(values));
  };

  const textField = (
    field: 'name' | 'description' | 'sourceTable' | 'warmSchedule' | 'watermarkColumn',
    label: string,
    options: { hint?: ReactNode; placeholder?: string; multiline?: boolean; maxLength?: number } = {},
  ) => {
    const messages = messagesFor(field);
    const common = {
      id: fieldId(field),
      name: field,
      value: values[field],
      placeholder: options.placeholder,
      maxLength: options.maxLength,
      'aria-invalid': messages.length > 0 || undefined,
      'aria-describedby': describedBy(field, messages, options.hint),
    };
    return (
      <div className="field">
        <label htmlFor={fieldId(field)}>{label}</label>
        {options.multiline ? (
          <textarea {...common} rows={2} onChange={(event) => setField(field, event.target.value)} />
        ) : (
          <input {...common} type="text" onChange={(event) => setField(field, event.target.value)} />
        )}
        <FieldFeedback field={field} messages={messages} hint={options.hint} />
      </div>
    );
  };

  const secondsField = (field: 'stalenessTtlSeconds' | 'minWarmIntervalSeconds', label: string) => {
    const { min, max } = DATASOURCE_LIMITS[field];
    const messages = messagesFor(field);
    const seconds = Number(values[field]);
    const hint =
      values[field].trim() && Number.isInteger(seconds) && seconds >= 0 ? `= ${formatDuration(seconds)}` : undefined;
    return (
      <div className="field">
        <label htmlFor={fieldId(field)}>{label}</label>
        <input
          id={fieldId(field)}
          name={field}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          value={values[field]}
          aria-invalid={messages.length > 0 || undefined}
          aria-describedby={describedBy(field, messages, hint)}
          onChange={(event) => setField(field, event.target.value)}
        />
        <FieldFeedback field={field} messages={messages} hint={hint} />
      </div>
    );
  };

  return (
    <form className="datasource-form" onSubmit={handleSubmit} noValidate aria-label="Datasource settings">
      {serverError && (
        <div className="callout callout-error" role="alert" data-testid="form-error">
          <p>{errorMessage(serverError)}</p>
          {unplacedServerErrors.length > 0 && (
            <ul>
              {unplacedServerErrors.map(([field, messages]) => (
                <li key={field}>
                  {field}: {messages.join(' ')}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {!serverError && hasClientErrors && (
        <div className="callout callout-error" role="alert" data-testid="form-error">
          Please correct the highlighted fields.
        </div>
      )}
      <fieldset className="form-fieldset" disabled={readOnly || pending}>
        <div className="card form-section">
          <h2>General</h2>
          {textField('name', 'Name', { maxLength: DATASOURCE_LIMITS.nameMaxLength })}
          {textField('description', 'Description', {
            multiline: true,
            maxLength: DATASOURCE_LIMITS.descriptionMaxLength,
          })}
          {textField('sourceTable', 'Source table', {
            placeholder: 'schema.table',
            hint: 'Schema-qualified table the cache is warmed from.',
          })}
          <div className="field field-inline">
            <input
              id={fieldId('enabled')}
              name="enabled"
              type="checkbox"
              checked={values.enabled}
              onChange={(event) => setField('enabled', event.target.checked)}
            />
            <label htmlFor={fieldId('enabled')}>Enabled</label>
            <FieldFeedback field="enabled" messages={messagesFor('enabled')} />
          </div>
        </div>

        <div className="card form-section">
          <h2>Column mapping</h2>
          <p className="muted">Which source column holds each dimension of an analytics row.</p>
          <FieldFeedback field="columnMapping" messages={messagesFor('columnMapping')} />
          <div className="form-grid">
            {COLUMN_MAPPING_FIELDS.map((key) => {
              const field = `columnMapping.${key}`;
              const messages = messagesFor(field);
              return (
                <div className="field" key={key}>
                  <label htmlFor={fieldId(field)}>{capitalize(key)} column</label>
                  <input
                    id={fieldId(field)}
                    name={field}
                    type="text"
                    value={values.columnMapping[key]}
                    aria-invalid={messages.length > 0 || undefined}
                    aria-describedby={describedBy(field, messages)}
                    onChange={(event) => setMapping(key, event.target.value)}
                  />
                  <FieldFeedback field={field} messages={messages} />
                </div>
              );
            })}
          </div>
        </div>

        <div className="card form-section">
          <h2>Caching</h2>
          <div className="form-grid">
            {secondsField('stalenessTtlSeconds', 'Staleness TTL (seconds)')}
            {secondsField('minWarmIntervalSeconds', 'Minimum warm interval (seconds)')}
          </div>
          {textField('warmSchedule', 'Warm schedule (cron)', {
            placeholder: '0 */4 * * *',
            hint: 'Cron expression (UTC) for automatic warming; leave empty for none.',
            maxLength: CRON_MAX_LENGTH,
          })}
        </div>

        <div className="card form-section">
          <h2>Change detection</h2>
          <p className="muted">
            How a refresh finds what changed: with a watermark it reads only the groups with rows updated since the last
            refresh and carries the rest of the cache over.
          </p>
          <div className="form-grid">
            <div className="field">
              <label htmlFor={fieldId('changeDetection')}>Mode</label>
              <select
                id={fieldId('changeDetection')}
                name="changeDetection"
                value={values.changeDetection}
                aria-describedby={describedBy('changeDetection', messagesFor('changeDetection'))}
                onChange={(event) => setField('changeDetection', event.target.value as ChangeDetection)}
              >
                {CHANGE_DETECTION_MODES.map((mode) => (
                  <option key={mode} value={mode}>
                    {CHANGE_DETECTION_LABELS[mode]}
                  </option>
                ))}
              </select>
              <FieldFeedback field="changeDetection" messages={messagesFor('changeDetection')} />
            </div>
            <div className="field">
              <label htmlFor={fieldId('fullRefreshEvery')}>Full warm every (refreshes)</label>
              <input
                id={fieldId('fullRefreshEvery')}
                name="fullRefreshEvery"
                type="number"
                inputMode="numeric"
                min={DATASOURCE_LIMITS.fullRefreshEvery.min}
                max={DATASOURCE_LIMITS.fullRefreshEvery.max}
                step={1}
                value={values.fullRefreshEvery}
                aria-invalid={messagesFor('fullRefreshEvery').length > 0 || undefined}
                aria-describedby={describedBy('fullRefreshEvery', messagesFor('fullRefreshEvery'))}
                onChange={(event) => setField('fullRefreshEvery', event.target.value)}
              />
              <FieldFeedback field="fullRefreshEvery" messages={messagesFor('fullRefreshEvery')} />
            </div>
          </div>
          {textField('watermarkColumn', 'Watermark column', {
            placeholder: 'updated_at',
            hint: 'A timestamp, date or integer column the source sets on every insert and update.',
            maxLength: 63,
          })}
        </div>
      </fieldset>
      {!readOnly && (
        <div className="form-actions">
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Saving…' : submitLabel}
          </button>
        </div>
      )}
    </form>
  );
}

function describedBy(field: string, messages: string[], hint?: ReactNode): string | undefined {
  const ids = [messages.length > 0 ? `${fieldId(field)}-error` : null, hint ? `${fieldId(field)}-hint` : null];
  return ids.filter(Boolean).join(' ') || undefined;
}

function FieldFeedback({ field, messages, hint }: { field: string; messages: string[]; hint?: ReactNode }) {
  return (
    <>
      {messages.length > 0 && (
        <p className="field-error" id={`${fieldId(field)}-error`} data-testid={`field-error-${field}`}>
          {messages.join(' ')}
        </p>
      )}
      {hint && (
        <p className="field-hint" id={`${fieldId(field)}-hint`}>
          {hint}
        </p>
      )}
    </>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
