import { OWASP_SCRYPT_COST, PasswordHasher } from './password.js';

describe('password hashing', () => {
  const hasher = new PasswordHasher(12);

  it('verifies the right password and rejects others; salts every hash', async () => {
    const first = await hasher.hash('Correct-Horse-9');
    const second = await hasher.hash('Correct-Horse-9');
    expect(first).toMatch(/^scrypt\$4096\$8\$1\$/);
    expect(first).not.toBe(second);
    await expect(hasher.verify('Correct-Horse-9', first)).resolves.toEqual({ valid: true, needsRehash: false });
    await expect(hasher.verify('correct-horse-9', first)).resolves.toEqual({ valid: false, needsRehash: false });
    await expect(hasher.verify('anything', null)).resolves.toMatchObject({ valid: false });
    await expect(hasher.verify('anything', 'garbage')).resolves.toMatchObject({ valid: false });
    await expect(hasher.verify('anything', 'scrypt$1099511627776$8$1$AAAA$AAAA')).resolves.toMatchObject({
      valid: false,
    });
  });

  it('hashes at the OWASP cost (N = 2^17, beyond Node’s default scrypt memory limit) and flags older hashes for an upgrade', async () => {
    const owasp = new PasswordHasher(OWASP_SCRYPT_COST);
    const strong = await owasp.hash('Correct-Horse-9');
    expect(strong).toMatch(/^scrypt\$131072\$8\$1\$/);
    await expect(owasp.verify('Correct-Horse-9', strong)).resolves.toEqual({ valid: true, needsRehash: false });
    const old = await hasher.hash('Correct-Horse-9');
    await expect(owasp.verify('Correct-Horse-9', old)).resolves.toEqual({ valid: true, needsRehash: true });
    // A wrong password never asks for a rehash.
    await expect(owasp.verify('wrong', old)).resolves.toEqual({ valid: false, needsRehash: false });
  });

  it('lets a bounded number of checks wait and answers the next one 503 SERVICE_BUSY with a retry time', async () => {
    const busy = new PasswordHasher(12, { concurrency: 1, maxWaiting: 2 });
    const stored = await busy.hash('Correct-Horse-9');
    const running = [busy.verify('Correct-Horse-9', stored), busy.verify('wrong', stored), busy.verify('wrong', null)];
    await expect(busy.verify('Correct-Horse-9', stored)).rejects.toMatchObject({
      code: 'SERVICE_BUSY',
      details: { retryAfterSeconds: 1 },
    });
    // Those admitted still get their answers; afterwards there is room again.
    await expect(Promise.all(running)).resolves.toEqual([
      { valid: true, needsRehash: false },
      { valid: false, needsRehash: false },
      { valid: false, needsRehash: false },
    ]);
    await expect(busy.verify('Correct-Horse-9', stored)).resolves.toMatchObject({ valid: true });
  });

  it('drops a waiting check when its client goes away, and hands the turn on', async () => {
    const busy = new PasswordHasher(12, { concurrency: 1, maxWaiting: 1 });
    const stored = await busy.hash('Correct-Horse-9');
    const first = busy.verify('Correct-Horse-9', stored);
    const gone = new AbortController();
    const waiting = busy.verify('Correct-Horse-9', stored, gone.signal);
    gone.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'SERVICE_BUSY' });
    // Its place in the queue is free again at once: another check may wait, and all finish.
    const next = busy.verify('Correct-Horse-9', stored);
    await expect(Promise.all([first, next])).resolves.toEqual([
      expect.objectContaining({ valid: true }),
      expect.objectContaining({ valid: true }),
    ]);
    await expect(busy.verify('x', stored, AbortSignal.abort())).rejects.toMatchObject({ code: 'SERVICE_BUSY' });
  });
});
