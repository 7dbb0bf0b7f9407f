import { hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('verifies the right password and rejects others; salts every hash', async () => {
    const first = await hashPassword('Correct-Horse-9');
    const second = await hashPassword('Correct-Horse-9');
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(first).not.toBe(second);
    await expect(verifyPassword('Correct-Horse-9', first)).resolves.toBe(true);
    await expect(verifyPassword('correct-horse-9', first)).resolves.toBe(false);
    await expect(verifyPassword('anything', null)).resolves.toBe(false);
    await expect(verifyPassword('anything', 'garbage')).resolves.toBe(false);
  });
});
