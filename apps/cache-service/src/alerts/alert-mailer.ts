import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { EmailConfig } from '../config/email-config.js';
import type { AlertEmail } from './alert-email.js';

/** An SMTP failure, and whether another attempt can help (SMTP's 4xx and lost connections can; a 5xx answer cannot). */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function smtpTransport(email: EmailConfig) {
  return createTransport({
    host: email.smtp.host,
    port: email.smtp.port,
    secure: email.smtp.secure,
    requireTLS: !email.smtp.secure && email.smtp.startTls === 'required',
    ignoreTLS: !email.smtp.secure && email.smtp.startTls === 'off',
    auth: email.smtp.user ? { user: email.smtp.user, pass: email.smtp.password?.reveal() ?? '' } : undefined,
    connectionTimeout: email.timeoutMs,
    greetingTimeout: email.timeoutMs,
    socketTimeout: email.timeoutMs,
    // The messages are built here from text: nothing may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
}

/**
 * The only place that talks SMTP: alert e-mails through nodemailer, one connection per message (alerts are few and
 * minutes apart: a pool would hold a connection to the mail server open for nothing), every wait bounded.
 */
@Injectable()
export class AlertMailer implements OnApplicationShutdown {
  private readonly logger = new Logger(AlertMailer.name);
  private readonly transport: ReturnType<typeof smtpTransport> | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = config.monitoring.email ? smtpTransport(config.monitoring.email) : null;
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  /** Where e-mails go, for log lines (the password masked). */
  describe(): string {
    const email = this.config.monitoring.email;
    return email ? `${email.to.length} recipient(s) through ${email.smtp.redactedUrl}` : 'not configured';
  }

  /**
   * Sends one e-mail to every ALERT_EMAIL_TO address. Resolves with the recipients the server refused when it accepted
   * the message for the others (sending again would reach those twice); rejects when nobody received it.
   */
  async send(
    mail: AlertEmail,
    meta: { alertId: string; event: string; messageId: string; references: string | null },
  ): Promise<{ refused: string[] }> {
    const email = this.config.monitoring.email;
    if (!this.transport || !email) throw new MailDeliveryError('No ALERT_SMTP_URL configured', true);
    try {
      const info = await this.transport.sendMail({
        from: email.from.name ? { name: email.from.name, address: email.from.address } : email.from.address,
        to: email.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: meta.messageId,
        ...(meta.references ? { inReplyTo: meta.references, references: meta.references } : {}),
        // RFC 3834: no out-of-office replies to a machine's message. The X- headers are for people's mail filters.
        headers: {
          'Auto-Submitted': 'auto-generated',
          'X-CCC-Alert-Id': meta.alertId,
          'X-CCC-Alert-Event': meta.event,
        },
      });
      return { refused: info.rejected.map(String) };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      throw new MailDeliveryError(
        `SMTP: ${(error as Error).message}`,
        typeof code === 'number' && code >= 500 && code < 600,
        { cause: error },
      );
    }
  }

  /** The domain of the From address, for Message-IDs of our own. */
  fromDomain(): string {
    return this.config.monitoring.email?.from.address.split('@')[1] ?? 'localhost';
  }

  onApplicationShutdown(): void {
    if (!this.transport) return;
    try {
      this.transport.close();
    } catch (error) {
      this.logger.warn(`closing the SMTP transport: ${(error as Error).message}`);
    }
  }
}
