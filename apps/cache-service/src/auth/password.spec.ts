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
    await expect(hasher.verify('anything', 'scrypt$1099511627776$8$1$AAAA$AAAA')).resolves.toMatchObject({ valid: false });
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
});
