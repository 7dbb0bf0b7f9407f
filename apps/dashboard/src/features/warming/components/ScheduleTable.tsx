import type { DatasourceCacheMetrics, WarmSchedule } from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { ApiError } from '../../../lib/api-client';
import { datasourceLabel, formatDateTime, formatRelative } from '../../../lib/format';
import { errorMessage } from '../../../lib/query-client';
import { HealthBadge } from '../../analytics-cache/components/HealthBadge';
import { useUpdateWarmSchedule } from '../hooks/useWarmSchedules';

const NEXT_RUNS_SHOWN = 3;

interface ScheduleTableProps {
  schedules: WarmSchedule[];
  metricsById: ReadonlyMap<number, DatasourceCacheMetrics>;
  /** Datasources with a warming job in progress. */
  warmingIds: ReadonlySet<number>;
  canWrite: boolean;
  now: number;
  warmPendingId: number | null;
  onWarm: (datasourceId: number, force: boolean) => void;
}

export function ScheduleTable({
  schedules,
  metricsById,
  warmingIds,
  canWrite,
  now,
  warmPendingId,
  onWarm,
}: ScheduleTableProps) {
  const columns: Array<Column<WarmSchedule>> = [
    {
      id: 'datasource',
      header: 'Datasource',
      cell: (schedule) => datasourceLabel(schedule.datasourceId, schedule.datasourceName),
      sortValue: (schedule) => schedule.datasourceId,
    },
    {
      id: 'cache',
      header: 'Cache',
      cell: (schedule) => {
        const metrics = metricsById.get(schedule.datasourceId);
        if (warmingIds.has(schedule.datasourceId)) return <Badge tone="info">Warming…</Badge>;
        if (!metrics) return '—';
        return (
          <>
            <HealthBadge health={metrics.health} />
            <div className="muted small">
              {metrics.lastWarmed ? formatRelative(metrics.lastWarmed, now) : 'Never warmed'}
            </div>
          </>
        );
      },
    },
    {
      id: 'cron',
      header: 'Schedule (cron, UTC)',
      cell: (schedule) =>
        canWrite ? (
          <CronEditor schedule={schedule} />
        ) : schedule.cron ? (
          <code>{schedule.cron}</code>
        ) : (
          <span className="muted">Manual only</span>
        ),
    },
    {
      id: 'next',
      header: 'Next runs',
      cellTestId: (schedule) => `next-runs-${schedule.datasourceId}`,
      cell: (schedule) =>
        schedule.nextRuns.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="next-runs">
            {schedule.nextRuns.slice(0, NEXT_RUNS_SHOWN).map((run) => (
              <li key={run}>
                <time dateTime={run}>{formatDateTime(run)}</time>{' '}
                <span className="muted">({formatRelative(run, now)})</span>
              </li>
            ))}
          </ul>
        ),
    },
  ];
  if (canWrite) {
    columns.push({
      id: 'warm',
      header: 'Warm',
      hideHeader: true,
      cell: ({ datasourceId, datasourceName }) => {
        const refresh = metricsById.get(datasourceId)?.isWarm ?? false;
        return (
          <button
            type="button"
            className="button button-small"
            aria-label={refresh ? `Refresh ${datasourceName}` : `Warm now: ${datasourceName}`}
            disabled={warmPendingId === datasourceId || warmingIds.has(datasourceId)}
            onClick={() => onWarm(datasourceId, refresh)}
          >
            {refresh ? 'Refresh' : 'Warm now'}
          </button>
        );
      },
    });
  }
  return (
    <DataTable
      label="Auto-warm schedules"
      testId="schedule-table"
      columns={columns}
      rows={schedules}
      rowKey={(schedule) => String(schedule.datasourceId)}
      rowProps={(schedule) => ({ 'data-testid': `schedule-row-${schedule.datasourceId}` })}
      initialSort={{ columnId: 'datasource', direction: 'ascending' }}
      empty="No datasources registered yet."
    />
  );
}

/** Input + Save + Clear; a 400 on `cron` is shown under the input. */
function CronEditor({ schedule }: { schedule: WarmSchedule }) {
  const update = useUpdateWarmSchedule(schedule.datasourceId);
  const [draft, setDraft] = useState(schedule.cron ?? '');
  const [saved, setSaved] = useState(schedule.cron);
  // A new value from the server (after a save) replaces the draft.
  if (saved !== schedule.cron) {
    setSaved(schedule.cron);
    setDraft(schedule.cron ?? '');
  }

  const inputId = `cron-${schedule.datasourceId}`;
  const errorId = `${inputId}-error`;
  const fieldError = update.error instanceof ApiError ? update.error.fieldMessages().cron?.join(' ') : undefined;
  const error = update.isError ? (fieldError ?? errorMessage(update.error)) : null;
  const trimmed = draft.trim();
  const unchanged = trimmed === (schedule.cron ?? '');

  const save = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ cron: trimmed === '' ? null : trimmed });
  };

  return (
    <form className="cron-editor" onSubmit={save} aria-label={`Auto-warm schedule of ${schedule.datasourceName}`}>
      <div className="cron-editor-row">
        <input
          id={inputId}
          type="text"
          className="input"
          aria-label={`Cron schedule for ${schedule.datasourceName}`}
          placeholder="e.g. 0 */4 * * *"
          value={draft}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            setDraft(event.target.value);
            if (!update.isIdle) update.reset();
          }}
        />
        <button
          type="submit"
          className="button button-small"
          aria-label={`Save schedule for ${schedule.datasourceName}`}
          disabled={update.isPending || unchanged}
        >
          Save
        </button>
        <button
          type="button"
          className="button button-small button-secondary"
          aria-label={`Clear schedule for ${schedule.datasourceName}`}
          disabled={update.isPending || schedule.cron === null}
          onClick={() => update.mutate({ cron: null })}
        >
          Clear
        </button>
      </div>
      {error && (
        <p className="field-error" id={errorId} data-testid={`cron-error-${schedule.datasourceId}`}>
          {error}
        </p>
      )}
      {update.isSuccess && (
        <p className="field-hint" role="status">
          {update.data.cron ? 'Saved.' : 'Schedule cleared: warmed on demand only.'}
        </p>
      )}
    </form>
  );
}
