import { isIP } from 'node:net';

type Env = Record<string, string | undefined>;

/**
 * A credential read from configuration. It prints as `[redacted]` wherever the configuration could end up — a JSON
 * log line (pino calls toJSON), `util.inspect`/console, string interpolation — and gives its value only to reveal().
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

/** smtp:// STARTTLS: `required` refuses a server without it, `opportunistic` upgrades when offered, `off` never does. */
export const SMTP_STARTTLS_MODES = ['required', 'opportunistic', 'off'] as const;
export type SmtpStartTls = (typeof SMTP_STARTTLS_MODES)[number];

export interface EmailConfig {
  smtp: {
    host: string;
    port: number;
    /** smtps://: TLS from the first byte (implicit TLS, port 465 by default). */
    secure: boolean;
    startTls: SmtpStartTls;
    user: string | null;
    password: Secret | null;
    /** ALERT_SMTP_URL with the password masked, for log lines. */
    redactedUrl: string;
  };
  from: { name: string | null; address: string };
  to: string[];
  /** Tries per e-mail (the first plus retries with exponential backoff), as the webhook's. */
  attempts: number;
  /** Connecting, the server's greeting and each reply: a server that stalls fails the attempt after this. */
  timeoutMs: number;
}

/** Recipients one alert e-mail may have: beyond this a list belongs on the mail server (an alias). */
export const MAX_EMAIL_RECIPIENTS = 20;

// A mailbox as an SMTP server takes it in RCPT TO: no display name, no quoting, no comments, an ASCII host name.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const ADDRESS = new RegExp(`^[A-Za-z0-9.!#$%&'*+/=?^_\`{|}~-]{1,64}@${LABEL}(?:\\.${LABEL})*$`);

export const isEmailAddress = (value: string): boolean => value.length <= 254 && ADDRESS.test(value);

function isLocalHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

interface Helpers {
  int(name: string, fallback: number, min: number, max: number): number;
  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T;
}

/**
 * Alert e-mails (ALERT_SMTP_URL, ALERT_SMTP_STARTTLS, ALERT_EMAIL_FROM, ALERT_EMAIL_TO, ALERT_EMAIL_ATTEMPTS,
 * ALERT_SMTP_TIMEOUT_MS) and the dashboard's public address the e-mails link to (DASHBOARD_URL). No message quotes
 * ALERT_SMTP_URL itself: it may carry a password.
 */
export function loadEmailConfig(
  env: Env,
  helpers: Helpers,
  production: boolean,
  problems: string[],
): { email: EmailConfig | null; dashboardUrl: string } {
  const read = (name: string): string => env[name]?.trim() ?? '';
  const dashboardUrl = loadDashboardUrl(read('DASHBOARD_URL'), read('PORT'), problems);
  const rawUrl = read('ALERT_SMTP_URL');
  const startTls = helpers.oneOf('ALERT_SMTP_STARTTLS', 'opportunistic', SMTP_STARTTLS_MODES);
  const attempts = helpers.int('ALERT_EMAIL_ATTEMPTS', 5, 1, 20);
  const timeoutMs = helpers.int('ALERT_SMTP_TIMEOUT_MS', 10_000, 500, 120_000);
  if (!rawUrl) {
    for (const name of ['ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO'])
      if (read(name)) problems.push(`${name} is set but ALERT_SMTP_URL is not: set both, or remove ${name}`);
    return { email: null, dashboardUrl };
  }

  const before = problems.length;
  let url: URL | null = null;
  try {
    url = new URL(rawUrl);
  } catch {
    problems.push('ALERT_SMTP_URL is not a valid URL (smtp://user:password@host:port or smtps://…)');
  }
  if (url && !['smtp:', 'smtps:'].includes(url.protocol))
    problems.push(`ALERT_SMTP_URL must use smtp: or smtps: (got "${url.protocol}")`);
  else if (url && !url.hostname) problems.push('ALERT_SMTP_URL names no host');
  else if (url && ((url.pathname && url.pathname !== '/') || url.search || url.hash))
    problems.push('ALERT_SMTP_URL takes no path or query: smtp://user:password@host:port (TLS: ALERT_SMTP_STARTTLS)');
  const secure = url?.protocol === 'smtps:';
  let user: string | null = null;
  let password: string | null = null;
  try {
    user = url?.username ? decodeURIComponent(url.username) : null;
    password = url?.password ? decodeURIComponent(url.password) : null;
  } catch {
    problems.push('ALERT_SMTP_URL has a badly escaped user or password (percent-encode @, : and / in them)');
  }
  if (password && !user) problems.push('ALERT_SMTP_URL has a password but no user name');
  // Opportunistic STARTTLS can be stripped by anyone on the path, who then reads the AUTH exchange: production sends a
  // password to another machine only over TLS it can rely on.
  if (production && url && !secure && password && startTls !== 'required' && !isLocalHost(url.hostname)) {
    problems.push(
      `ALERT_SMTP_URL would send the SMTP password to ${url.hostname} without TLS it can rely on: use smtps:// (implicit TLS) or set ALERT_SMTP_STARTTLS=required`,
    );
  }

  const from = parseFrom(read('ALERT_EMAIL_FROM'), problems);
  const to = parseRecipients(read('ALERT_EMAIL_TO'), problems);
  if (production && !read('DASHBOARD_URL'))
    problems.push(
      'DASHBOARD_URL is required with ALERT_SMTP_URL when NODE_ENV=production (alert e-mails link to the alert in the dashboard)',
    );
  if (problems.length > before || !url || !from) return { email: null, dashboardUrl };

  const redacted = new URL(url.href);
  if (redacted.password) redacted.password = '***';
  return {
    email: {
      smtp: {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port ? Number(url.port) : secure ? 465 : 587,
        secure,
        startTls,
        user,
        password: password === null ? null : new Secret(password),
        redactedUrl: redacted.href,
      },
      from,
      to,
      attempts,
      timeoutMs,
    },
    dashboardUrl,
  };
}

/** `ops@example.com` or `Cache Command Center <ops@example.com>`. */
function parseFrom(raw: string, problems: string[]): EmailConfig['from'] | null {
  if (!raw) {
    problems.push('ALERT_EMAIL_FROM is required with ALERT_SMTP_URL (e.g. "Cache Command Center <ccc@example.com>")');
    return null;
  }
  const named = /^([^<>"\r\n]{1,100}?)\s*<([^<>\s]+)>$/.exec(raw);
  const address = named ? named[2] : raw;
  if (!isEmailAddress(address)) {
    problems.push(
      'ALERT_EMAIL_FROM must be an e-mail address, optionally with a display name: ccc@example.com or Cache Command Center <ccc@example.com>',
    );
    return null;
  }
  return { name: named ? named[1].trim() : null, address };
}

function parseRecipients(raw: string, problems: string[]): string[] {
  const recipients = [
    ...new Set(
      raw
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ];
  if (recipients.length === 0) {
    problems.push('ALERT_EMAIL_TO is required with ALERT_SMTP_URL (comma-separated e-mail addresses)');
    return [];
  }
  if (recipients.length > MAX_EMAIL_RECIPIENTS)
    problems.push(
      `ALERT_EMAIL_TO lists ${recipients.length} addresses, at most ${MAX_EMAIL_RECIPIENTS} are allowed (use a list address on the mail server)`,
    );
  const bad = recipients.filter((address) => !isEmailAddress(address));
  if (bad.length > 0)
    problems.push(
      `ALERT_EMAIL_TO must be comma-separated e-mail addresses (bad: ${bad
        .slice(0, 3)
        .map((address) => `"${address.slice(0, 80)}"`)
        .join(', ')}${bad.length > 3 ? ` and ${bad.length - 3} more` : ''})`,
    );
  return recipients;
}

/** The dashboard's public address (links in e-mails); this service on localhost when unset. Always ends with "/". */
function loadDashboardUrl(raw: string, rawPort: string, problems: string[]): string {
  const port = /^\d{1,5}$/.test(rawPort) && Number(rawPort) > 0 && Number(rawPort) <= 65535 ? Number(rawPort) : 3000;
  const fallback = `http://localhost:${port}/`;
  if (!raw) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push('DASHBOARD_URL is not a valid URL (e.g. https://ccc.example.com)');
    return fallback;
  }
  if (!['http:', 'https:'].includes(url.protocol)) {
    problems.push(`DASHBOARD_URL must use https: or http: (got "${url.protocol}")`);
    return fallback;
  }
  if (url.username || url.password || url.search || url.hash) {
    problems.push('DASHBOARD_URL must be a plain address (no user, password, query or fragment)');
    return fallback;
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}
