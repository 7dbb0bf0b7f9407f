/**
 * Concurrent callers asking for the same key share one pending lookup instead of starting one each. A cache in front
 * of the database expires an entry for every caller at the same instant: under load, each of them would otherwise
 * send the same query (tens at once), and the query path's latency would spike every time an entry expires.
 * Holds only lookups in progress, so it is bounded by the callers waiting.
 */
export class SingleFlight<K, V> {
  private readonly pending = new Map<K, Promise<V>>();

  run(key: K, lookUp: () => Promise<V>): Promise<V> {
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const flight = lookUp().finally(() => {
      if (this.pending.get(key) === flight) this.pending.delete(key);
    });
    this.pending.set(key, flight);
    return flight;
  }

  /**
   * Callers from now on start a lookup of their own: what changed (a revocation) may have been read before the
   * change by the lookups in progress.
   */
  forgetAll(): void {
    this.pending.clear();
  }
}
