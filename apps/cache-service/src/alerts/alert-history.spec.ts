import type { AlertEvent } from '@ccc/shared-types';
import { addEvents, HISTORY_LIMIT, withBookkeeping } from './alert-history.js';
import type { CacheAlertEntity } from './cache-alert.entity.js';

const event = (n: number): AlertEvent => ({
  at: new Date(n * 1000).toISOString(),
  event: 'NOTIFIED',
  severity: 'WARNING',
  actualValue: n,
  by: null,
  comment: null,
});

describe('alert history', () => {
  it('keeps the latest events only and counts the dropped ones in alert_context', () => {
    const alert = { history: [], alertContext: { metric: 'CACHE_HIT_RATIO' } } as unknown as CacheAlertEntity;
    for (let n = 1; n <= HISTORY_LIMIT; n++) addEvents(alert, event(n));
    expect(alert.history).toHaveLength(HISTORY_LIMIT);
    expect(alert.alertContext).toEqual({ metric: 'CACHE_HIT_RATIO' });

    addEvents(alert, event(101), event(102));
    expect(alert.history).toHaveLength(HISTORY_LIMIT);
    expect(alert.history[0].actualValue).toBe(3);
    expect(alert.history.at(-1)!.actualValue).toBe(102);
    expect(alert.alertContext).toEqual({ metric: 'CACHE_HIT_RATIO', historyDropped: 2 });
    addEvents(alert, event(103));
    expect(alert.alertContext).toMatchObject({ historyDropped: 3 });
  });

  it('keeps the bookkeeping when the evaluator rewrites the context', () => {
    const previous = {
      metric: 'CACHE_HIT_RATIO',
      warningThreshold: 60,
      historyDropped: 4,
      acknowledgedSeverity: 'CRITICAL',
      lastDeliveredEventAt: '2026-03-01T12:00:00.000Z',
    };
    expect(withBookkeeping({ metric: 'CACHE_HIT_RATIO', warningThreshold: 70 }, previous)).toEqual({
      ...previous,
      warningThreshold: 70,
    });
    expect(withBookkeeping({ metric: 'QUERY_TIME' }, null)).toEqual({ metric: 'QUERY_TIME' });
  });
});
