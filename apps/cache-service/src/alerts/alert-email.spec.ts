import type { AlertWebhookPayload } from '@ccc/shared-types';
import { escapeHtml, renderAlertEmail } from './alert-email.js';

const alert = (overrides: Partial<AlertWebhookPayload['alert']> = {}): AlertWebhookPayload['alert'] => ({
  id: '6f1c2a9e-0000-4000-8000-000000000001',
  alertType: 'HIT_RATE_LOW',
  severity: 'CRITICAL',
  alertStatus: 'ACTIVE',
  datasourceId: 7,
  datasourceName: 'Revenue Analytics',
  alertMessage: 'Hit rate of Revenue Analytics (last 15 min) is 42% (critical below 50%)',
  thresholdValue: 50,
  actualValue: 42,
  triggeredAt: '2026-12-05T00:10:00.000Z',
  ...overrides,
});
const eventAt = new Date('2026-12-05T00:12:30.000Z');
const dashboardUrl = 'https://ccc.example.com/ops/';

describe('renderAlertEmail', () => {
  it('says in the subject what an inbox needs: severity, measure, value vs threshold, where', () => {
    expect(renderAlertEmail({ event: 'FIRED', alert: alert(), eventAt, dashboardUrl }).subject).toBe(
      '[CRITICAL] Hit rate 42% < 50% — Revenue Analytics',
    );
    expect(renderAlertEmail({ event: 'ESCALATED', alert: alert(), eventAt, dashboardUrl }).subject).toBe(
      '[CRITICAL] Escalated: Hit rate 42% < 50% — Revenue Analytics',
    );
    expect(renderAlertEmail({ event: 'REPEAT', alert: alert(), eventAt, dashboardUrl }).subject).toBe(
      '[CRITICAL] Still active: Hit rate 42% < 50% — Revenue Analytics',
    );
    expect(
      renderAlertEmail({
        event: 'RESOLVED',
        alert: alert({ alertStatus: 'RESOLVED', actualValue: 91 }),
        eventAt,
        dashboardUrl,
      }).subject,
    ).toBe('[RESOLVED] Hit rate low — Revenue Analytics');
    // Units of other metrics, and service-wide alerts named by what they watch.
    expect(
      renderAlertEmail({
        event: 'FIRED',
        alert: alert({
          alertType: 'QUERY_TIME_HIGH',
          severity: 'WARNING',
          actualValue: 312.44,
          thresholdValue: 250,
        }),
        eventAt,
        dashboardUrl,
      }).subject,
    ).toBe('[WARNING] Query time 312.4 ms > 250 ms — Revenue Analytics');
    expect(
      renderAlertEmail({
        event: 'FIRED',
        alert: alert({
          alertType: 'EVICTION_RATE_HIGH',
          datasourceId: null,
          datasourceName: null,
          actualValue: 120,
          thresholdValue: 100,
        }),
        eventAt,
        dashboardUrl,
      }).subject,
    ).toBe('[CRITICAL] Evictions per minute 120 > 100 — Redis');
  });

  it('writes the facts as text and links to the alert on the dashboard', () => {
    const mail = renderAlertEmail({ event: 'FIRED', alert: alert(), eventAt, dashboardUrl });
    expect(mail.link).toBe('https://ccc.example.com/ops/alerts?alert=6f1c2a9e-0000-4000-8000-000000000001');
    expect(mail.text).toContain('Hit rate of Revenue Analytics (last 15 min) is 42% (critical below 50%)');
    expect(mail.text).toMatch(/^Status +FIRED \(the alert is ACTIVE\)$/m);
    expect(mail.text).toMatch(/^Datasource +Revenue Analytics \(id 7\)$/m);
    expect(mail.text).toMatch(/^Value +42% < 50% \(critical threshold: alerts at or below it\)$/m);
    expect(mail.text).toMatch(/^Triggered +2026-12-05 00:10:00 UTC$/m);
    expect(mail.text).toMatch(/^This event +2026-12-05 00:12:30 UTC$/m);
    expect(mail.text).toContain(`Open the alert in the dashboard: ${mail.link}`);
    expect(mail.html).toContain(`<a href="${mail.link}"`);
  });

  it('escapes every value in the HTML and keeps the subject on one line', () => {
    const hostile = 'Sales <b>&</b> "Ops" <script>alert(1)</script>';
    const mail = renderAlertEmail({
      event: 'RESOLVED',
      alert: alert({ datasourceName: `${hostile}\r\nBcc: victim@example.com`, alertMessage: hostile }),
      detail: `Recovered: ${hostile}`,
      eventAt,
      dashboardUrl,
    });
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Sales &lt;b&gt;&amp;&lt;/b&gt; &quot;Ops&quot; &lt;script&gt;');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('Bcc: victim@example.com'); // harmless text inside the one subject line
    // The text part is text: the name reads as it was typed.
    expect(mail.text).toContain(`Recovered: ${hostile}`);
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;',
    );
  });
});
