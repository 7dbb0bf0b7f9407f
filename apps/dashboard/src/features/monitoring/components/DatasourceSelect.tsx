import type { Datasource } from '@ccc/shared-types';
import { datasourceLabel } from '../../../lib/format';

interface DatasourceSelectProps {
  id: string;
  label: string;
  datasources: Datasource[] | undefined;
  value: string;
  onChange: (value: string) => void;
  /** Text of the "no datasource" choice. */
  allLabel?: string;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
}

/** A datasource picker whose value is the id as a string, '' for "all". */
export function DatasourceSelect({
  id,
  label,
  datasources,
  value,
  onChange,
  allLabel = 'All',
  disabled,
  invalid,
  describedBy,
}: DatasourceSelectProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="">{allLabel}</option>
        {(datasources ?? []).map((ds) => (
          <option key={ds.id} value={String(ds.id)}>
            {datasourceLabel(ds.id, ds.name)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function datasourceNames(datasources: Datasource[] | undefined): Map<number, string> {
  return new Map((datasources ?? []).map((ds) => [ds.id, ds.name]));
}
