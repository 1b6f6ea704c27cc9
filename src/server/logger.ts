/**
 * The server's logger (pino), with every place a secret could travel redacted: auth headers,
 * cookies, and any field whose name says it holds a secret. Redaction is a safety net; code still
 * never logs secrets on purpose.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.authorization2',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.clientSecret',
  '*.client_secret',
  '*.apiToken',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.code_verifier',
];

export function createLogger(options: { level: LoggerOptions['level']; destination?: pino.DestinationStream }): Logger {
  const settings: LoggerOptions = { level: options.level ?? 'info', redact: { paths: redactPaths, censor: '[redacted]' } };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
