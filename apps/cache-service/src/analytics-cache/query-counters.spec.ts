import type { UsageCounters } from './usage-counters.js';
import { QueryCounters } from './query-counters.js';

type Sent = { datasourceId: number; hits: number; misses: number; latencyMicros: number };

describe('QueryCounters', () => {
  function counters(failFor: Set<number>): { counters: QueryCounters; sent: Sent[]; calls: number[] } {
    const sent: Sent[] = [];
    const calls: number[] = [];
    const repository = {
      addQueryCounters: async (
        datasourceId: number,
        list: Array<{ hits: number; misses: number; latencyMicros: number }>,
      ) => {
        calls.push(datasourceId);
        if (failFor.has(datasourceId)) throw new Error('connection lost');
        for (const c of list)
          sent.push({ datasourceId, hits: c.hits, misses: c.misses, latencyMicros: c.latencyMicros });
      },
    } as unknown as UsageCounters;
    return { counters: new QueryCounters(repository), sent, calls };
  }

  it('writes each datasource on its own and keeps the tallies of a failed one for the next flush', async () => {
    const failFor = new Set([2]);
    const { counters: c, sent, calls } = counters(failFor);
    c.record(1, true, 10);
    c.record(2, true, 20);
    c.record(2, false, 30);
    await expect(c.flush()).rejects.toThrow('connection lost');
    expect(calls.sort()).toEqual([1, 2]);
    expect(sent).toEqual([{ datasourceId: 1, hits: 1, misses: 0, latencyMicros: 10 }]);

    c.record(2, true, 5);
    failFor.clear();
    await c.flush();
    expect(
      sent
        .filter((s) => s.datasourceId === 2)
        .reduce(
          (sum, s) => ({
            hits: sum.hits + s.hits,
            misses: sum.misses + s.misses,
            latency: sum.latency + s.latencyMicros,
          }),
          { hits: 0, misses: 0, latency: 0 },
        ),
    ).toEqual({
      hits: 2,
      misses: 1,
      latency: 55,
    });
    expect(sent.filter((s) => s.datasourceId === 1)).toHaveLength(1);
    await c.flush();
    expect(sent).toHaveLength(2);
  });
});
