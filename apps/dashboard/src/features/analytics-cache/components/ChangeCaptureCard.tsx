import type { ChangeCaptureStatus } from '@ccc/shared-types';
import { formatBytes, formatRelative } from '../../../lib/format';

const INCIDENTS: Record<NonNullable<ChangeCaptureStatus['lastIncident']>['kind'], string> = {
  slot_dropped: 'Slot was dropped; recreated and warmed fully',
  slot_lagging: 'Slot lagged past the limit; warmed fully',
};

/**
 * A CDC datasource's replication slot on the source: whether a worker streams it, the WAL it retains (its lag), and
 * the last incident. A lag past the limit, or a missing slot, is shown as a warning: change capture falls back to a
 * full warm then, and CDC_SLOT_UNHEALTHY alerts.
 */
export function ChangeCaptureCard({ status, now }: { status: ChangeCaptureStatus; now: number }) {
  const lagging = status.lagBytes !== null && status.lagBytes > status.maxLagBytes;
  const state = !status.slotExists ? 'Slot missing' : status.active ? 'Streaming' : 'Not consumed';
  return (
    <section className="card" aria-labelledby="cdc-title" data-testid="details-change-capture">
      <h2 id="cdc-title">Change data capture</h2>
      {(!status.slotExists || lagging) && (
        <div className="callout callout-warn" role="note">
          {lagging
            ? `The slot retains more WAL than ${formatBytes(status.maxLagBytes)}: a full warm replaces its backlog.`
            : 'The replication slot does not exist: it is recreated and the cache warmed fully.'}
        </div>
      )}
      <dl className="metrics-grid">
        <div className="metric">
          <dt>Replication slot</dt>
          <dd>{status.slotName}</dd>
        </div>
        <div className="metric">
          <dt>State</dt>
          <dd data-testid="cdc-state">{state}</dd>
        </div>
        <div className="metric">
          <dt>Slot lag</dt>
          <dd data-testid="cdc-lag">{status.lagBytes === null ? '—' : formatBytes(status.lagBytes)}</dd>
        </div>
        <div className="metric">
          <dt>Full warm beyond</dt>
          <dd>{formatBytes(status.maxLagBytes)}</dd>
        </div>
        <div className="metric">
          <dt>Last incident</dt>
          <dd data-testid="cdc-incident">
            {status.lastIncident
              ? `${INCIDENTS[status.lastIncident.kind]} (${formatRelative(status.lastIncident.at, now)})`
              : 'None'}
          </dd>
        </div>
      </dl>
    </section>
  );
}
