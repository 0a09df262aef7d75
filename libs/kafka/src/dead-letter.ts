import { InboundMessage, OutboundMessage } from './ports';

/**
 * What lands on the dead-letter topic: everything needed to understand the failure and to
 * replay the message once fixed. The original payload is kept as UTF-8 when it is valid
 * UTF-8, else base64.
 */
export interface DeadLetterRecord {
  reason: string;
  details?: unknown;
  consumerGroup: string;
  source: { topic: string; partition: number; offset: string; key: string | null; timestamp: string };
  headers: Record<string, string>;
  payload: string | null;
  payloadEncoding: 'utf8' | 'base64';
  deadLetteredAt: string;
}

function encodePayload(value: Buffer | null): Pick<DeadLetterRecord, 'payload' | 'payloadEncoding'> {
  if (value === null) return { payload: null, payloadEncoding: 'utf8' };
  const text = value.toString('utf8');
  return Buffer.from(text, 'utf8').equals(value)
    ? { payload: text, payloadEncoding: 'utf8' }
    : { payload: value.toString('base64'), payloadEncoding: 'base64' };
}

export function deadLetterMessage(
  deadLetterTopic: string,
  consumerGroup: string,
  message: InboundMessage,
  reason: string,
  details?: unknown,
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
    deadLetteredAt: new Date().toISOString(),
  };
  return {
    topic: deadLetterTopic,
    key: message.key,
    value: JSON.stringify(record),
    headers: { 'vigil-dlq-reason': reason.slice(0, 200), 'vigil-dlq-source': `${message.topic}/${message.partition}/${message.offset}` },
  };
}
