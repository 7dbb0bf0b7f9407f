import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { diffConfigs, formatConfigValue } from '../config-diff';

interface ConfigDiffProps {
  /** What is being changed, e.g. the recommendation's name (several diffs can be on one page). */
  label: string;
  current: Record<string, unknown>;
  recommended: Record<string, unknown>;
  testId?: string;
}

type DiffRow = ReturnType<typeof diffConfigs>[number];

const COLUMNS: Array<Column<DiffRow>> = [
  {
    id: 'setting',
    header: 'Setting',
    rowHeader: true,
    cell: (row) => (
      <>
        <code>{row.key}</code>
        {row.changed && <span className="visually-hidden"> (changes)</span>}
      </>
    ),
  },
  {
    id: 'current',
    header: 'Current',
    cell: (row) => <code className={row.changed ? 'config-old' : undefined}>{formatConfigValue(row.current)}</code>,
  },
  {
    id: 'recommended',
    header: 'Recommended',
    cell: (row) => (
      <>
        <code className={row.changed ? 'config-new' : undefined}>{formatConfigValue(row.recommended)}</code>
        {row.changed && (
          <span aria-hidden="true">
            <Badge tone="info" className="config-badge">
              changes
            </Badge>
          </span>
        )}
      </>
    ),
  },
];

/** Current vs recommended configuration, key by key; changed keys are marked. */
export function ConfigDiff({ label, current, recommended, testId }: ConfigDiffProps) {
  return (
    <DataTable
      label={`Current and recommended configuration: ${label}`}
      testId={testId}
      card={false}
      className="config-diff"
      columns={COLUMNS}
      rows={diffConfigs(current, recommended)}
      rowKey={(row) => row.key}
      rowProps={(row) => ({
        className: row.changed ? 'config-changed' : undefined,
        'data-changed': String(row.changed),
      })}
      empty="No configuration keys."
    />
  );
}
