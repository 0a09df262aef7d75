import { createHash } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';

/**
 * What a request log line may carry: an allow-list, so no header (cookie, authorization, API key,
 * signature), client address or query string (tokens in links) ever reaches the logs, whatever
 * a client sends.
 */
export const requestSerializers = {
  req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
  res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
};

/** Defence in depth if a serializer is bypassed: pino's redaction of the credential headers. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-vigil-signature"]',
  'req.headers["webhook-signature"]',
  'res.headers["set-cookie"]',
];

/**
 * A URL as logs may show it: origin and a short digest of the rest. Webhook URLs often carry their
 * credential in the path or query (chat and paging services do), so the full URL is never logged;
 * the digest still tells two endpoints of one host apart.
 */
export function safeUrl(url: string): string {
  let origin = 'invalid-url';
  try {
    origin = new URL(url).origin;
  } catch {
    // keep the placeholder: the digest still identifies the configured value
  }
  return `${origin}/…#${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
}

/** A stable pseudonym for a personal value (IP, e-mail) where a log line needs to correlate. */
export function pseudonym(value: string): string {
  return `h:${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}

export interface LogSink {
  write(line: string): void;
}

// The logger options are built when a service's module is imported, so the sink is swappable
// behind a fixed stream: tests capture what a service really logs.
const stdout = pino.destination({ dest: 1, sync: true });
let capture: LogSink | null = null;
export const logStream: LogSink = { write: (line) => (capture ?? stdout).write(line) };

/** Tests: collects every JSON log line (pino) until `stop()`. */
export function captureLogs(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  capture = { write: (line) => void lines.push(line) };
  return { lines, stop: () => (capture = null) };
}
