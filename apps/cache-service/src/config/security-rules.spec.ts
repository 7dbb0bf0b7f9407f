import { randomBytes } from 'node:crypto';
import { estimatedEntropyBits, secretProblem } from './security-rules.js';

describe('secret strength', () => {
  it('accepts what the README tells people to generate, every time', () => {
    for (let i = 0; i < 200; i++) {
      expect(secretProblem('JWT_SECRET', randomBytes(32).toString('hex'))).toBeNull();
      expect(secretProblem('JWT_SECRET', randomBytes(32).toString('base64'))).toBeNull();
      expect(secretProblem('JWT_SECRET', randomBytes(48).toString('base64url'))).toBeNull();
    }
  });

  it('estimates entropy from character frequencies', () => {
    expect(estimatedEntropyBits('aaaa')).toBe(0);
    expect(estimatedEntropyBits('abcd')).toBe(8);
    expect(estimatedEntropyBits(randomBytes(32).toString('hex'))).toBeGreaterThan(200);
  });
});
