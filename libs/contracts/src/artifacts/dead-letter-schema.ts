import type { DeadLetterRecord } from '@vigil/kafka';
import { JSON_SCHEMA_DRAFT_07, JsonSchema } from '../json-schema';

/**
 * DeadLetterRecord is a TypeScript interface of libs/kafka (no class to generate from): its
 * properties are written out here, typed by the interface, so a field added, renamed or removed
 * there fails the type check until this schema follows.
 */
const properties: { [K in keyof DeadLetterRecord]-?: JsonSchema } = {
  reason: { type: 'string', description: 'why no consumer could process the message' },
  details: { description: 'structured reason, e.g. {errors: [{field, constraint, reason}]} for an invalid event; cut to a preview when large' },
  consumerGroup: { type: 'string', description: 'the consumer group that gave up on the message' },
  source: {
    type: 'object',
    description: 'where the original message was',
    required: ['topic', 'partition', 'offset', 'key', 'timestamp'],
    properties: {
      topic: { type: 'string' },
      partition: { type: 'integer', minimum: 0 },
      offset: { type: 'string', description: 'Kafka offset (a decimal string)' },
      key: { type: ['string', 'null'], description: 'the original key' },
      timestamp: { type: 'string', description: 'broker timestamp, epoch milliseconds as a string' },
    },
  },
  headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'the original headers' },
  payload: { type: ['string', 'null'], description: 'the original value, UTF-8 text when it was valid UTF-8, else base64; null for an empty value' },
  payloadEncoding: { type: 'string', enum: ['utf8', 'base64'] },
  payloadBytes: { type: 'integer', minimum: 0, description: 'size of the original value in bytes' },
  payloadTruncated: { type: 'boolean', const: true, description: 'present when the record was cut to DEAD_LETTER_MAX_BYTES (256 KiB): payload is a prefix' },
  deadLetteredAt: { type: 'string', format: 'date-time' },
};

export const DEAD_LETTER_SCHEMA: JsonSchema = {
  $schema: JSON_SCHEMA_DRAFT_07,
  title: 'DeadLetterRecord',
  description: 'events.deadletter: a message no consumer could process, with the reason and everything needed to replay it once fixed (libs/kafka dead-letter.ts).',
  type: 'object',
  required: ['reason', 'consumerGroup', 'source', 'headers', 'payload', 'payloadEncoding', 'payloadBytes', 'deadLetteredAt'],
  properties,
};
