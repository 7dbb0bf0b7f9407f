import type { DatasourceCacheDetails } from '@ccc/shared-types';
import { useState } from 'react';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { formatCount, formatDateTime, formatMemoryMB, formatRelative } from '../../../lib/format';
import { RollbackDialog, type RollbackTarget } from './RollbackDialog';

interface Figure {
  label: string;
  live: string;
  previous: string;
}

const COLUMNS: ReadonlyArray<Column<Figure>> = [
  { id: 'figure', header: 'Figure', cell: (row) => row.label, rowHeader: true },
  { id: 'live', header: 'Live', cell: (row) => row.live, cellTestId: (row) => `live-${row.label}` },
  { id: 'previous', header: 'Previous', cell: (row) => row.previous, cellTestId: (row) => `previous-${row.label}` },
];

/**
 * The live generation beside the one the last refresh replaced (kept for a rollback until it expires), and the
 * rollback itself for those allowed to invalidate. While a warm runs the service refuses a rollback: the button waits.
 */
export function GenerationsPanel({
  details,
  canWrite,
  warming,
  now,
}: {
  details: DatasourceCacheDetails;
  canWrite: boolean;
  warming: boolean;
  now: number;
}) {
  const [target, setTarget] = useState<RollbackTarget | null>(null);
  const { metrics: m, previousGeneration: previous } = details;
  const expired = previous !== null && Date.parse(previous.expiresAt) <= now;
  const none = '—';
  const figures: Figure[] = [
    {
      label: 'Generation',
      live: details.generation === null ? 'None (cold)' : String(details.generation),
      previous: previous ? String(previous.generation) : 'None retained',
    },
    { label: 'Entries', live: formatCount(m.totalEntries), previous: previous ? formatCount(previous.entries) : none },
    {
      label: 'Memory',
      live: formatMemoryMB(m.estimatedMemoryMB),
      previous: previous ? formatMemoryMB(previous.estimatedMemoryMB) : none,
    },
    {
      label: 'Warmed',
      live: m.lastWarmed ? formatDateTime(m.lastWarmed) : none,
      previous: previous?.lastWarmed ? formatDateTime(previous.lastWarmed) : none,
    },
    { label: 'Replaced', live: none, previous: previous ? formatDateTime(previous.retiredAt) : none },
    {
      label: 'Kept until',
      live: none,
      previous: previous ? `${formatDateTime(previous.expiresAt)} (${formatRelative(previous.expiresAt, now)})` : none,
    },
  ];
  const canRollBack = canWrite && previous !== null && !expired && details.generation !== null;

  return (
    <section className="card page-section" aria-labelledby="generations-title" data-testid="generations-panel">
      <h2 id="generations-title">Generations</h2>
      <DataTable
        label="Live and previous generation"
        testId="generations-table"
        rows={figures}
        rowKey={(row) => row.label}
        columns={COLUMNS}
        card={false}
      />
      {!previous && (
        <p className="muted" data-testid="no-previous-generation">
          No previous generation is retained: a refresh keeps the one it replaces for a while (memory permitting).
        </p>
      )}
      {canRollBack && (
        <p>
          <button
            type="button"
            className="button button-secondary button-danger-outline"
            disabled={warming}
            title={warming ? 'A warm of this datasource is running: roll back once it has finished' : undefined}
            onClick={() =>
              setTarget({
                datasourceId: m.datasourceId,
                datasourceName: m.datasourceName,
                live: { generation: details.generation!, entries: m.totalEntries, memoryMB: m.estimatedMemoryMB },
                previous,
              })
            }
          >
            Roll back to generation {previous.generation}
          </button>
        </p>
      )}
      {target && <RollbackDialog target={target} onClose={() => setTarget(null)} />}
    </section>
  );
}
