import type { DatasourceCacheMetrics, WarmSchedule } from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../../lib/api-client';
import { formatDateTime, formatRelative } from '../../../lib/format';
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

export function ScheduleTable({ schedules, metricsById, warmingIds, canWrite, now, warmPendingId, onWarm }: ScheduleTableProps) {
  const rows = [...schedules].sort((a, b) => a.datasourceId - b.datasourceId);
  if (rows.length === 0) return <p className="card card-muted">No datasources registered yet.</p>;
  return (
    <div className="table-wrap card">
      <table className="table" data-testid="schedule-table">
        <thead>
          <tr>
            <th scope="col">Datasource</th>
            <th scope="col">Cache</th>
            <th scope="col">Schedule (cron, UTC)</th>
            <th scope="col">Next runs</th>
            {canWrite && (
              <th scope="col">
                <span className="visually-hidden">Warm</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((schedule) => (
            <ScheduleRow
              key={schedule.datasourceId}
              schedule={schedule}
              metrics={metricsById.get(schedule.datasourceId)}
              warming={warmingIds.has(schedule.datasourceId)}
              canWrite={canWrite}
              now={now}
              warmPending={warmPendingId === schedule.datasourceId}
              onWarm={(force) => onWarm(schedule.datasourceId, force)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface ScheduleRowProps {
  schedule: WarmSchedule;
  metrics?: DatasourceCacheMetrics;
  warming: boolean;
  canWrite: boolean;
  now: number;
  warmPending: boolean;
  onWarm: (force: boolean) => void;
}

function ScheduleRow({ schedule, metrics, warming, canWrite, now, warmPending, onWarm }: ScheduleRowProps) {
  const { datasourceId, datasourceName } = schedule;
  return (
    <tr data-testid={`schedule-row-${datasourceId}`}>
      <td>
        DS #{datasourceId}: {datasourceName}
      </td>
      <td>
        {warming ? (
          <span className="badge badge-info">Warming…</span>
        ) : metrics ? (
          <>
            <HealthBadge health={metrics.health} />
            <div className="muted small">{metrics.lastWarmed ? formatRelative(metrics.lastWarmed, now) : 'Never warmed'}</div>
          </>
        ) : (
          '—'
        )}
      </td>
      <td>
        {canWrite ? (
          <CronEditor schedule={schedule} />
        ) : schedule.cron ? (
          <code>{schedule.cron}</code>
        ) : (
          <span className="muted">Manual only</span>
        )}
      </td>
      <td data-testid={`next-runs-${datasourceId}`}>
        {schedule.nextRuns.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="next-runs">
            {schedule.nextRuns.slice(0, NEXT_RUNS_SHOWN).map((run) => (
              <li key={run}>
                <time dateTime={run}>{formatDateTime(run)}</time> <span className="muted">({formatRelative(run, now)})</span>
              </li>
            ))}
          </ul>
        )}
      </td>
      {canWrite && (
        <td>
          {metrics?.isWarm ? (
            <button
              type="button"
              className="button button-small"
              aria-label={`Refresh ${datasourceName}`}
              disabled={warmPending || warming}
              onClick={() => onWarm(true)}
            >
              Refresh
            </button>
          ) : (
            <button
              type="button"
              className="button button-small"
              aria-label={`Warm ${datasourceName} now`}
              disabled={warmPending || warming}
              onClick={() => onWarm(false)}
            >
              Warm now
            </button>
          )}
        </td>
      )}
    </tr>
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
  const fieldError =
    update.error instanceof ApiError ? update.error.fieldMessages().cron?.join(' ') : undefined;
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
