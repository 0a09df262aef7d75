import { DEAD_LETTER_MAX_BYTES, DeadLetterRecord, deadLetterMessage, strippedDeadLetter } from './dead-letter';
import { InboundMessage } from './ports';

const inbound = (value: Buffer | null): InboundMessage => ({
  topic: 'events.intake',
  partition: 3,
  offset: '42',
  key: 'k',
  value,
  headers: { 'vigil-tenant': 'm1' },
  timestamp: '1767225600000',
});
const recordOf = (value: string) => JSON.parse(value) as DeadLetterRecord;

describe('dead-letter records', () => {
  it('keeps a normal payload whole, with its size', () => {
    const payload = '{"id":"e-1","type":"order.placed"}';
    const out = deadLetterMessage('dlq', 'g', inbound(Buffer.from(payload)), 'invalid event: x', [{ field: 'x' }]);
    expect(recordOf(out.value)).toMatchObject({ payload, payloadEncoding: 'utf8', payloadBytes: payload.length, details: [{ field: 'x' }] });
    expect(recordOf(out.value).payloadTruncated).toBeUndefined();
  });

  it('cuts a payload that escaping grows past the limit (quotes and control characters), marking it and its original size', () => {
    // ~1 MB of characters that JSON escapes to 2 (") and 6 (\u0001) bytes each
    const hostile = Buffer.from('"\u0001'.repeat(500_000));
    const details = Array.from({ length: 5000 }, (_, i) => ({ field: `f${i}`, reason: 'bad' }));
    const out = deadLetterMessage('dlq', 'g', inbound(hostile), 'x'.repeat(5000), details);
    expect(Buffer.byteLength(out.value)).toBeLessThanOrEqual(DEAD_LETTER_MAX_BYTES);
    const record = recordOf(out.value);
    expect(record).toMatchObject({ payloadTruncated: true, payloadBytes: hostile.length, details: { truncated: true } });
    expect(record.payload!.length).toBeGreaterThan(DEAD_LETTER_MAX_BYTES / 8); // as much as fits, not nothing
    expect(hostile.toString('utf8').startsWith(record.payload!)).toBe(true);
    expect(record.reason).toHaveLength(1000);
  });

  it('cuts base64 payloads (not UTF-8) the same way', () => {
    const binary = Buffer.alloc(600_000, 0xff);
    const record = recordOf(deadLetterMessage('dlq', 'g', inbound(binary), 'not JSON').value);
    expect(record).toMatchObject({ payloadEncoding: 'base64', payloadTruncated: true, payloadBytes: 600_000 });
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThanOrEqual(DEAD_LETTER_MAX_BYTES);
  });

  it('strips a record to its reason and source when even the bounded one is refused', () => {
    const out = deadLetterMessage('dlq', 'g', inbound(Buffer.from('{"a":1}')), 'handler failed: boom', { error: 'Error' });
    const stripped = strippedDeadLetter(out);
    expect(stripped.topic).toBe('dlq');
    expect(recordOf(stripped.value)).toMatchObject({ reason: 'handler failed: boom', payload: null, payloadTruncated: true, payloadBytes: 7, source: { offset: '42' } });
    expect(recordOf(stripped.value).details).toBeUndefined();
  });
});
