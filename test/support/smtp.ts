/**
 * A small real SMTP server on loopback for tests: speaks enough ESMTP (EHLO/HELO, MAIL FROM,
 * RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT) for nodemailer, and keeps every message it
 * accepted. No TLS, no AUTH: nodemailer sends in plain text when STARTTLS is not offered.
 * (The `smtp-server` package would do this too; it is not installed.)
 *
 * @example
 * const smtp = await startSmtpServer();
 * after(() => smtp.close());
 * const mailer = createMailer({ smtpUrl: smtp.url, smtpFrom: 'ninja-sync@test.example' });
 * ...
 * const [mail] = await smtp.waitForMessages(1);
 */
import { createServer } from 'node:net';

import type { Socket } from 'node:net';

export interface ReceivedEmail {
  readonly from: string;
  readonly to: readonly string[];
  /** The raw message (headers and body) as sent, dot-unstuffed. */
  readonly raw: string;
  readonly subject: string;
  /** The body with quoted-printable soft breaks and escapes decoded. */
  readonly text: string;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly messages: readonly ReceivedEmail[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`, default 5 s). */
  waitForMessages(count: number, timeoutMs?: number): Promise<readonly ReceivedEmail[]>;
  close(): Promise<void>;
}

/**
 * Starts the server on 127.0.0.1, port 0 unless one is given (a test restarting it on the same
 * port to show a recovered mail server).
 *
 * @example const smtp = await startSmtpServer();
 */
export async function startSmtpServer(options: { readonly port?: number } = {}): Promise<TestSmtpServer> {
  const messages: ReceivedEmail[] = [];
  const waiters: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveSession(socket, (mail) => {
      messages.push(mail);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    async waitForMessages(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the test SMTP server received ${messages.length} message(s), expected ${count}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return messages.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function serveSession(socket: Socket, deliver: (mail: ReceivedEmail) => void): void {
  let buffer = '';
  let from = '';
  let to: string[] = [];
  let data: string[] | null = null;
  const reply = (line: string): void => {
    socket.write(`${line}\r\n`);
  };
  socket.setEncoding('utf8');
  reply('220 127.0.0.1 ESMTP ninja-sync test server');
  socket.on('error', () => {
    /* a client hanging up mid-session is not the test's concern */
  });
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (data !== null) {
        if (line === '.') {
          const raw = data.join('\r\n');
          deliver({ from, to, raw, ...parseMessage(raw) });
          data = null;
          from = '';
          to = [];
          reply('250 2.0.0 queued');
        } else {
          data.push(line.startsWith('..') ? line.slice(1) : line);
        }
        continue;
      }
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') {
        reply('250-127.0.0.1');
        reply('250-8BITMIME');
        reply('250 SMTPUTF8');
      } else if (verb === 'HELO') reply('250 127.0.0.1');
      else if (verb === 'MAIL') {
        from = addressIn(line);
        reply('250 2.1.0 ok');
      } else if (verb === 'RCPT') {
        to.push(addressIn(line));
        reply('250 2.1.5 ok');
      } else if (verb === 'DATA') {
        if (to.length === 0) reply('503 5.5.1 RCPT first');
        else {
          data = [];
          reply('354 end with <CRLF>.<CRLF>');
        }
      } else if (verb === 'RSET') {
        from = '';
        to = [];
        reply('250 2.0.0 ok');
      } else if (verb === 'NOOP') reply('250 2.0.0 ok');
      else if (verb === 'QUIT') {
        reply('221 2.0.0 bye');
        socket.end();
      } else reply('502 5.5.2 command not implemented');
    }
  });
}

function addressIn(line: string): string {
  return /<([^>]*)>/.exec(line)?.[1] ?? '';
}

function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const headers = head.replace(/\r\n[ \t]+/g, ' ');
  const subjectLine = /^subject: (.*)$/im.exec(headers)?.[1] ?? '';
  const encoding = /^content-transfer-encoding: (.*)$/im.exec(headers)?.[1]?.trim().toLowerCase();
  return { subject: decodeWords(subjectLine), text: decodeBody(body, encoding) };
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=` / `?B?`), as nodemailer writes non-ASCII subjects. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, kind: string, text: string) => {
      if (kind.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      return Buffer.from(
        text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    });
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\r\n/g, '\n');
  }
  return body.replace(/\r\n/g, '\n');
}
