import { classifyFailure, isOutage, mapInfrastructureError } from './infrastructure-errors.js';

describe('classifyFailure for outages', () => {
  it('reads a socket error by its shape, also one made in another realm (not instanceof Error)', () => {
    const foreign = { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED' };
    expect(classifyFailure(foreign)?.kind).toBe('unavailable');
    expect(mapInfrastructureError(foreign)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it.each([
    'Command timed out',
    'Too many Cluster redirections. Last error: ReplyError: MOVED 7767 127.0.0.1:44535',
    'Failed to refresh slots cache.',
    'Connection terminated unexpectedly',
  ])('counts "%s" as an outage (503, not 500)', (message) => {
    expect(isOutage(new Error(message))).toBe(true);
    expect(mapInfrastructureError(new Error(message))).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('does not count our own bugs or a Redis OOM reply as an outage of the connection', () => {
    expect(isOutage(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
    expect(isOutage(null)).toBe(false);
    expect(isOutage('text')).toBe(false);
  });
});
