import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../common/app-error.js';

/** OWASP's scrypt recommendation: N = 2^17, r = 8, p = 1 (about 128 MiB and a few hundred ms per hash). */
export const OWASP_SCRYPT_COST = 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 64;
// A stored hash's own parameters are used to verify it; refuse absurd ones rather than allocate for them.
const MAX_STORED_LOG_N = 20;

export interface PasswordCheck {
  valid: boolean;
  /** The hash was made with other parameters than today's: store a new one while the password is at hand. */
  needsRehash: boolean;
}

/**
 * How many hashes run at once and how many may wait. Each hash holds 128·N·r bytes (128 MiB at the OWASP cost) and a
 * thread of libuv's pool (which would otherwise run four at a time); a request that would wait beyond the queue is
 * answered 503 SERVICE_BUSY at once, instead of holding its connection while a burst of sign-ins drains.
 */
export interface HashLimits {
  concurrency: number;
  maxWaiting: number;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** `scrypt$N$r$p$salt$hash`: the parameters travel with the hash, so they can be raised and old hashes upgraded on sign-in. */
export class PasswordHasher {
  private readonly n: number;
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly cost: number,
    private readonly limits: HashLimits = { concurrency: 1, maxWaiting: 20 },
  ) {
    this.n = 2 ** cost;
  }

  /** `signal`: the request's; aborted while waiting for a turn, the hash is not computed. */
  async hash(password: string, signal?: AbortSignal): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.derive(password, salt, KEY_LENGTH, this.n, R, P, signal);
    return ['scrypt', this.n, R, P, salt.toString('base64'), key.toString('base64')].join('$');
  }

  async verify(password: string, stored: string | null, signal?: AbortSignal): Promise<PasswordCheck> {
    const parsed = parse(stored);
    if (!parsed) {
      // Spend comparable time when there is no hash, so timing does not reveal unknown emails (in the same bounded queue).
      await this.derive(password, randomBytes(16), KEY_LENGTH, this.n, R, P, signal);
      return { valid: false, needsRehash: false };
    }
    const actual = await this.derive(password, parsed.salt, parsed.hash.length, parsed.n, parsed.r, parsed.p, signal);
    const valid = actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
    return {
      valid,
      needsRehash:
        valid && (parsed.n !== this.n || parsed.r !== R || parsed.p !== P || parsed.hash.length !== KEY_LENGTH),
    };
  }

  private async derive(
    password: string,
    salt: Buffer,
    keyLength: number,
    n: number,
    r: number,
    p: number,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    // Node refuses more than 32 MiB by default; allow what these parameters need, with room to spare.
    const options: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r };
    await this.acquire(signal);
    try {
      return await new Promise<Buffer>((resolve, reject) =>
        scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
      );
    } finally {
      this.release();
    }
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw clientGone();
    if (this.running < this.limits.concurrency) {
      this.running += 1;
      return;
    }
    if (this.waiting.length >= this.limits.maxWaiting) {
      throw AppError.retryLater('SERVICE_BUSY', 'Too many password checks at once: retry in a moment', 1);
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter);
        if (index < 0) return;
        this.waiting.splice(index, 1);
        reject(clientGone());
      };
      // The turn passes on with the slot: release() hands it over without lowering `running`.
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.running -= 1;
  }
}

function parse(stored: string | null): { n: number; r: number; p: number; salt: Buffer; hash: Buffer } | null {
  const parts = stored?.split('$');
  if (!parts || parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const sane =
    Number.isInteger(Math.log2(n)) && n >= 2 && n <= 2 ** MAX_STORED_LOG_N && r >= 1 && r <= 32 && p >= 1 && p <= 4;
  return sane ? { n, r, p, salt: Buffer.from(parts[4], 'base64'), hash: Buffer.from(parts[5], 'base64') } : null;
}

const clientGone = (): AppError =>
  AppError.retryLater('SERVICE_BUSY', 'The client went away before its password was checked', 1);
