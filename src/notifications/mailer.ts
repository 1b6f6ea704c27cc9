/**
 * The SMTP side of e-mail: nodemailer on `SMTP_URL`, wrapped so the outbox sees one `send` and a
 * sender address. No SMTP_URL, no mailer: alerts still reach the in-app inbox.
 *
 * @example
 * const mailer = createMailer(config);
 * if (mailer !== null) await deliverPendingEmails(db, mailer, now());
 */
import nodemailer from 'nodemailer';

import type { Config } from '../config.ts';

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  readonly from: string;
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/**
 * A mailer for `config.smtpUrl`, or null when e-mail is not configured.
 *
 * @example const mailer = createMailer({ smtpUrl: 'smtp://127.0.0.1:2525', smtpFrom: 'ninja-sync@example.com' });
 */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'smtpFrom'>, options: { readonly timeoutMs?: number } = {}): Mailer | null {
  if (config.smtpUrl === undefined || config.smtpUrl === '') return null;
  const timeout = options.timeoutMs ?? 30_000;
  // Short timeouts: a hung mail server must not hold the outbox (or the scheduler loop) for minutes.
  const transport = nodemailer.createTransport(config.smtpUrl, {
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as nodemailer.TransportOptions);
  return {
    from: config.smtpFrom,
    async send(email) {
      await transport.sendMail({ from: config.smtpFrom, to: email.to, subject: email.subject, text: email.text });
    },
    close() {
      transport.close();
    },
  };
}
