import { SingleFlight } from './single-flight.js';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('SingleFlight', () => {
  it('gives concurrent callers of one key the same lookup, and a later caller a new one', async () => {
    const flights = new SingleFlight<number, string>();
    const first = deferred<string>();
    const lookUp = jest.fn(() => first.promise);
    const a = flights.run(1, lookUp);
    const b = flights.run(1, lookUp);
    first.resolve('one');
    expect(await Promise.all([a, b])).toEqual(['one', 'one']);
    expect(lookUp).toHaveBeenCalledTimes(1);
    await flights.run(1, async () => 'again');
    expect(await flights.run(1, async () => 'fresh')).toBe('fresh');
  });

  it('keeps keys apart and shares a failure with the callers that joined it, not with later ones', async () => {
    const flights = new SingleFlight<number, string>();
    const failing = deferred<string>();
    const a = flights.run(1, () => failing.promise);
    const b = flights.run(1, async () => 'never');
    const other = flights.run(2, async () => 'two');
    failing.reject(new Error('down'));
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    expect(await other).toBe('two');
    expect(await flights.run(1, async () => 'recovered')).toBe('recovered');
  });

  it('starts a new lookup after forgetAll, and the old one finishing does not drop the new one', async () => {
    const flights = new SingleFlight<number, string>();
    const old = deferred<string>();
    const stale = flights.run(1, () => old.promise);
    flights.forgetAll();
    const current = deferred<string>();
    const fresh = flights.run(1, () => current.promise);
    old.resolve('before');
    await stale;
    const joined = flights.run(1, async () => 'third');
    current.resolve('after');
    expect(await Promise.all([fresh, joined])).toEqual(['after', 'after']);
  });
});
