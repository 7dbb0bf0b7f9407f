import { isIP } from 'node:net';

/**
 * Rules production applies to secrets (JWT_SECRET, METRICS_TOKEN) and passwords in configuration. A secret is refused when
 * it is shorter than 32 characters, contains a placeholder word, is one character or one short unit repeated, or its
 * estimated entropy — length × Shannon entropy of its character frequencies — is below 128 bits. `openssl rand -hex 32`
 * (about 240 bits by this estimate) and `openssl rand -base64 32` pass; `CHANGE-ME…`, `aaaa…` and `abcabc…` do not.
 */
export const MIN_SECRET_LENGTH = 32;
export const MIN_SECRET_ENTROPY_BITS = 128;

// Compared after lower-casing and dropping separators, so `CHANGE-ME`, `change_me` and `ChangeMe` all match.
const SECRET_PLACEHOLDERS = [
  'changeme',
  'replaceme',
  'placeholder',
  'example',
  'secret',
  'password',
  'default',
  'dummy',
  'sample',
  'insecure',
  'xxxxxx',
];
const PASSWORD_PLACEHOLDERS = ['changeme', 'replaceme', 'placeholder', 'example'];

/** The development default admin password of `npm start`; never accepted with NODE_ENV=production. */
export const DEVELOPMENT_ADMIN_PASSWORD = 'ChangeMe-Admin-1';

const normalise = (value: string): string => value.toLowerCase().replace(/[-_.\s]/g, '');

export function placeholderWord(value: string, words: readonly string[] = SECRET_PLACEHOLDERS): string | null {
  const plain = normalise(value);
  return words.find((word) => plain.includes(word)) ?? null;
}

/** Length × Shannon entropy of the character frequencies: an upper bound of what a guesser must try, never exact. */
export function estimatedEntropyBits(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...value].length;
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / length;
    perChar -= p * Math.log2(p);
  }
  return perChar * length;
}

/** Why this secret is unsafe for production, or null. */
export function secretProblem(name: string, value: string): string | null {
  if (value.length < MIN_SECRET_LENGTH) return `${name} must be at least ${MIN_SECRET_LENGTH} characters`;
  const word = placeholderWord(value);
  if (word) return `${name} looks like a placeholder (contains "${word}"): generate one, e.g. openssl rand -hex 32`;
  if (/^(.{1,16}?)\1+$/s.test(value) || /(.)\1{7,}/s.test(value))
    return `${name} is a repeated pattern: generate one, e.g. openssl rand -hex 32`;
  const bits = Math.floor(estimatedEntropyBits(value));
  if (bits < MIN_SECRET_ENTROPY_BITS) {
    return `${name} is too predictable (about ${bits} bits, needs ${MIN_SECRET_ENTROPY_BITS}): generate one, e.g. openssl rand -hex 32`;
  }
  return null;
}

/** Why this admin password is unsafe for production, or null. */
export function adminPasswordProblem(value: string): string | null {
  if (value === DEVELOPMENT_ADMIN_PASSWORD)
    return 'ADMIN_PASSWORD is the development default, which is never used with NODE_ENV=production';
  const word = placeholderWord(value, PASSWORD_PLACEHOLDERS);
  return word ? `ADMIN_PASSWORD looks like a placeholder (contains "${word}")` : null;
}

/** Database and Redis passwords: machines type them, so they can be long and random (`openssl rand -hex 24`). */
export const MIN_SERVICE_PASSWORD_LENGTH = 16;

/** Why a database or Redis password (PGPASSWORD, or one inside a URL) is unsafe for production, or null. */
export function servicePasswordProblem(what: string, password: string): string | null {
  const word = placeholderWord(password, PASSWORD_PLACEHOLDERS);
  if (word) return `${what} looks like a placeholder (contains "${word}")`;
  const advice = 'generate one, e.g. openssl rand -hex 24';
  if (password.length < MIN_SERVICE_PASSWORD_LENGTH)
    return `${what} is weak (shorter than ${MIN_SERVICE_PASSWORD_LENGTH} characters): ${advice}`;
  if (/^(.{1,8}?)\1+$/s.test(password)) return `${what} is weak (a repeated pattern): ${advice}`;
  return null;
}

/** Why the password inside a connection URL is unsafe for production, or null (no password is not our call). */
export function urlPasswordProblem(name: string, url: string): string | null {
  let password: string;
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return null; // the URL itself is checked elsewhere
  }
  return password ? servicePasswordProblem(`the password in ${name}`, password) : null;
}

/** Express's `trust proxy`: nothing, everything, a hop count, or addresses/subnets/named ranges. */
export type TrustProxySetting = boolean | number | string[];

const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function isSubnet(entry: string): boolean {
  const [address, mask, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  if (mask === undefined) return true;
  if (/^\d{1,3}$/.test(mask)) return Number(mask) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(mask) === 4; // 10.0.0.0/255.0.0.0
}

/** `TRUST_PROXY=true` believes X-Forwarded-For from anyone, so any client picks its own address: never in production. */
export const TRUST_ALL_PROXIES_PROBLEM =
  'TRUST_PROXY=true believes X-Forwarded-For from any client (who could then pick a new address per sign-in attempt): list the ' +
  'proxy addresses or subnets (e.g. 10.0.0.0/8, loopback) or give the number of proxy hops in front of the service (e.g. 1)';

/** Parses TRUST_PROXY with the values Express accepts; `problem` names what is wrong. */
export function parseTrustProxy(raw: string): { value: TrustProxySetting; problem: string | null } {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'false' || value === 'none') return { value: false, problem: null };
  if (value === 'true') return { value: true, problem: null };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= 32
      ? { value: hops, problem: null }
      : { value: false, problem: `TRUST_PROXY hop count must be at most 32 (got "${raw}")` };
  }
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => !NAMED_RANGES.includes(entry.toLowerCase()) && !isSubnet(entry));
  if (bad.length > 0 || entries.length === 0) {
    return {
      value: false,
      problem: `TRUST_PROXY must be none, true, a hop count, or a comma-separated list of addresses, subnets (10.0.0.0/8) and loopback/linklocal/uniquelocal (bad: "${bad.join('", "') || raw}")`,
    };
  }
  return {
    value: entries.map((entry) => (NAMED_RANGES.includes(entry.toLowerCase()) ? entry.toLowerCase() : entry)),
    problem: null,
  };
}
