import { inspect } from 'node:util';
import { ConfigError, loadConfig } from './app-config.js';

const strongSecret = 'f3a9c1d27be84e06a5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f0e1';
const mail = { ALERT_EMAIL_FROM: 'Cache Command Center <ccc@example.com>', ALERT_EMAIL_TO: 'ops@example.com' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}
const production = (env: Record<string, string>) => ({ NODE_ENV: 'production', JWT_SECRET: strongSecret, ...env });

describe('alert e-mail configuration', () => {
  it('has no e-mail by default and links to this service on localhost', () => {
    const config = loadConfig({ PORT: '3100' });
    expect(config.monitoring.email).toBeNull();
    expect(config.dashboardUrl).toBe('http://localhost:3100/');
  });

  it('reads the SMTP URL, sender, recipients and dashboard address', () => {
    const config = loadConfig({
      ALERT_SMTP_URL: 'smtp://alerts%40example.com:s%3Acret@mail.example.com:2525',
      ALERT_SMTP_STARTTLS: 'required',
      ALERT_EMAIL_FROM: 'Cache Command Center <ccc@example.com>',
      ALERT_EMAIL_TO: ' ops@example.com, dba@example.com ,ops@example.com',
      DASHBOARD_URL: 'https://ccc.example.com/console',
    });
    const email = config.monitoring.email!;
    expect(email.smtp).toMatchObject({
      host: 'mail.example.com',
      port: 2525,
      secure: false,
      startTls: 'required',
      user: 'alerts@example.com',
      redactedUrl: 'smtp://alerts%40example.com:***@mail.example.com:2525',
    });
    expect(email.smtp.password!.reveal()).toBe('s:cret');
    expect(email.from).toEqual({ name: 'Cache Command Center', address: 'ccc@example.com' });
    expect(email.to).toEqual(['ops@example.com', 'dba@example.com']);
    expect(email).toMatchObject({ attempts: 5, timeoutMs: 10_000 });
    expect(config.dashboardUrl).toBe('https://ccc.example.com/console/');
    expect(loadConfig({ ALERT_SMTP_URL: 'smtps://relay.example.com', ...mail }).monitoring.email!.smtp).toMatchObject({
      port: 465,
      secure: true,
      user: null,
      password: null,
    });
  });

  it('never shows the SMTP password in a dump of the configuration', () => {
    const config = loadConfig({ ALERT_SMTP_URL: 'smtp://u:hunter2-very-secret@127.0.0.1:25', ...mail });
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(inspect(config, { depth: 10 })).not.toContain('hunter2');
    expect(`${config.monitoring.email!.smtp.password}`).toBe('[redacted]');
  });

  it('names the variable of every bad setting, without quoting the URL', () => {
    expect(problemsOf({ ALERT_SMTP_URL: 'http://u:hunter2@mail.example.com', ...mail })).toEqual([
      'ALERT_SMTP_URL must use smtp: or smtps: (got "http:")',
    ]);
    const bad = problemsOf({ ALERT_SMTP_URL: 'smtp://u:hunter2@mail example.com', ...mail });
    expect(bad).toEqual([expect.stringMatching(/^ALERT_SMTP_URL is not a valid URL/)]);
    expect(bad.join()).not.toContain('hunter2');
    expect(problemsOf({ ALERT_SMTP_URL: 'smtp://mail.example.com' })).toEqual([
      expect.stringMatching(/^ALERT_EMAIL_FROM is required with ALERT_SMTP_URL/),
      expect.stringMatching(/^ALERT_EMAIL_TO is required with ALERT_SMTP_URL/),
    ]);
    expect(
      problemsOf({
        ALERT_SMTP_URL: 'smtp://mail.example.com',
        ALERT_EMAIL_FROM: 'ccc at example.com',
        ALERT_EMAIL_TO: 'ops@example.com, not-an-address, x@y@z',
      }),
    ).toEqual([
      expect.stringMatching(/^ALERT_EMAIL_FROM must be an e-mail address/),
      'ALERT_EMAIL_TO must be comma-separated e-mail addresses (bad: "not-an-address", "x@y@z")',
    ]);
    const many = Array.from({ length: 21 }, (_, i) => `ops${i}@example.com`).join(',');
    expect(problemsOf({ ALERT_SMTP_URL: 'smtp://mail.example.com', ...mail, ALERT_EMAIL_TO: many })).toEqual([
      expect.stringMatching(/^ALERT_EMAIL_TO lists 21 addresses, at most 20/),
    ]);
    expect(problemsOf({ ALERT_EMAIL_TO: 'ops@example.com' })).toEqual([
      'ALERT_EMAIL_TO is set but ALERT_SMTP_URL is not: set both, or remove ALERT_EMAIL_TO',
    ]);
    expect(problemsOf({ ALERT_SMTP_STARTTLS: 'maybe', DASHBOARD_URL: 'ftp://x' })).toEqual([
      'DASHBOARD_URL must use https: or http: (got "ftp:")',
      'ALERT_SMTP_STARTTLS must be one of required, opportunistic, off (got "maybe")',
    ]);
    // A header injection through the sender's display name is not an address.
    expect(
      problemsOf({
        ALERT_SMTP_URL: 'smtp://mail.example.com',
        ALERT_EMAIL_TO: 'ops@example.com',
        ALERT_EMAIL_FROM: 'CCC\r\nBcc: x@evil.example <ccc@example.com>',
      }),
    ).toEqual([expect.stringMatching(/^ALERT_EMAIL_FROM must be an e-mail address/)]);
  });

  it('in production, refuses to send the SMTP password in clear text to another machine, and needs DASHBOARD_URL', () => {
    const dashboard = { DASHBOARD_URL: 'https://ccc.example.com' };
    expect(
      problemsOf(
        production({ ALERT_SMTP_URL: 'smtp://u:7c1e9a0f3b5d2e8a@mail.example.com:587', ...mail, ...dashboard }),
      ),
    ).toEqual([
      'ALERT_SMTP_URL would send the SMTP password to mail.example.com without TLS it can rely on: use smtps:// (implicit TLS) or set ALERT_SMTP_STARTTLS=required',
    ]);
    // Safe ways: STARTTLS required, implicit TLS, a relay on the same machine, or no password at all.
    for (const env of [
      { ALERT_SMTP_URL: 'smtp://u:7c1e9a0f3b5d2e8a@mail.example.com:587', ALERT_SMTP_STARTTLS: 'required' },
      { ALERT_SMTP_URL: 'smtps://u:7c1e9a0f3b5d2e8a@mail.example.com' },
      { ALERT_SMTP_URL: 'smtp://u:7c1e9a0f3b5d2e8a@localhost:25' },
      { ALERT_SMTP_URL: 'smtp://relay.internal:25' },
    ] as Array<Record<string, string>>)
      expect(problemsOf(production({ ...env, ...mail, ...dashboard }))).toEqual([]);
    expect(problemsOf(production({ ALERT_SMTP_URL: 'smtps://relay.example.com', ...mail }))).toEqual([
      expect.stringMatching(/^DASHBOARD_URL is required with ALERT_SMTP_URL when NODE_ENV=production/),
    ]);
    // Outside production the same settings are allowed (a local test server).
    expect(problemsOf({ ALERT_SMTP_URL: 'smtp://u:p@mail.example.com:587', ...mail })).toEqual([]);
  });
});
