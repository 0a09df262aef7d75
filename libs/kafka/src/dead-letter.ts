import { InboundMessage, OutboundMessage } from './ports';

/**
 * What lands on the dead-letter topic: everything needed to understand the failure and to
 * replay the message once fixed. The original payload is kept as UTF-8 when it is valid
 * UTF-8, else base64; a record is at most DEAD_LETTER_MAX_BYTES: beyond it the payload (and
 * details) are cut, `payloadTruncated` says so and `payloadBytes` keeps the original size.
 */
export interface DeadLetterRecord {
  reason: string;
  details?: unknown;
  consumerGroup: string;
  source: { topic: string; partition: number; offset: string; key: string | null; timestamp: string };
  headers: Record<string, string>;
  payload: string | null;
  payloadEncoding: 'utf8' | 'base64';
  /** Size of the original message value in bytes. */
  payloadBytes: number;
  payloadTruncated?: true;
  deadLetteredAt: string;
}

/**
 * Largest dead-letter record value. Wrapping escapes the payload (a quote or control character
 * grows to 2-6 bytes), so a message near the broker's limit (1 MiB by default) would not fit
 * whole: records stay well below it.
 */
export const DEAD_LETTER_MAX_BYTES = 256 * 1024;
const DETAILS_MAX_CHARS = 4096;
const HEADER_VALUE_MAX_CHARS = 256;

function encodePayload(value: Buffer | null): Pick<DeadLetterRecord, 'payload' | 'payloadEncoding'> {
  if (value === null) return { payload: null, payloadEncoding: 'utf8' };
  const text = value.toString('utf8');
  return Buffer.from(text, 'utf8').equals(value)
    ? { payload: text, payloadEncoding: 'utf8' }
    : { payload: value.toString('base64'), payloadEncoding: 'base64' };
}

/** The longest prefix of `text` whose JSON form fits in `budget` bytes (binary search: only for oversized records). */
function fittingPrefix(text: string, budget: number): string {
  const size = (n: number) => Buffer.byteLength(JSON.stringify(text.slice(0, n)));
  let [low, high] = [0, text.length];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (size(mid) <= budget) low = mid;
    else high = mid - 1;
  }
  return text.slice(0, low);
}

/** Cuts the record to `maxBytes`: details to a preview, then the payload to what fits. */
function bounded(record: DeadLetterRecord, maxBytes: number): string {
  const whole = JSON.stringify(record);
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  const details = record.details === undefined ? undefined : JSON.stringify(record.details);
  const cut: DeadLetterRecord = {
    ...record,
    reason: record.reason.slice(0, 1000),
    details: details && details.length > DETAILS_MAX_CHARS ? { truncated: true, preview: details.slice(0, DETAILS_MAX_CHARS) } : record.details,
    headers: Object.fromEntries(Object.entries(record.headers).slice(0, 32).map(([k, v]) => [k.slice(0, 64), v.slice(0, HEADER_VALUE_MAX_CHARS)])),
    payload: '',
    payloadTruncated: true,
  };
  const budget = maxBytes - Buffer.byteLength(JSON.stringify(cut));
  cut.payload = budget > 2 && record.payload ? fittingPrefix(record.payload, budget) : '';
  return JSON.stringify(cut);
}

/**
 * The smallest record of a message (no payload, no details): what is published when even the
 * bounded record is refused for good, so a dead letter always ends in a record, never a loop.
 */
export function strippedDeadLetter(message: OutboundMessage): OutboundMessage {
  let record: Partial<DeadLetterRecord> = {};
  try {
    record = JSON.parse(message.value) as DeadLetterRecord;
  } catch {
    // not one of ours: keep only the routing headers
  }
  const stripped = { ...record, details: undefined, headers: {}, payload: null, payloadTruncated: true, reason: String(record.reason ?? '').slice(0, 200) };
  return { ...message, value: JSON.stringify(stripped) };
}

export function deadLetterMessage(
  deadLetterTopic: string,
  consumerGroup: string,
  message: InboundMessage,
  reason: string,
  details?: unknown,
  maxBytes = DEAD_LETTER_MAX_BYTES,
): OutboundMessage {
  const record: DeadLetterRecord = {
    reason,
    details,
    consumerGroup,
    source: {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key,
      timestamp: message.timestamp,
    },
    headers: message.headers,
    ...encodePayload(message.value),
    payloadBytes: message.value?.length ?? 0,
    deadLetteredAt: new Date().toISOString(),
  };
  return {
    topic: deadLetterTopic,
    key: message.key,
    value: bounded(record, maxBytes),
    headers: { 'vigil-dlq-reason': reason.slice(0, 200), 'vigil-dlq-source': `${message.topic}/${message.partition}/${message.offset}` },
  };
}
