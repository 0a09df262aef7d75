import { decodeContractMessage, decodeEventMessage, EVENT_SCHEMA, SCHEMA_HEADER, SIGNAL_SCHEMA } from './decode-message';
import { exampleEvent } from './examples';
import { FraudSignal } from './signals';

const message = (value: unknown, headers: Record<string, string> = {}) => ({
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers,
});

describe('decodeEventMessage (validate once, at the door)', () => {
  const event = exampleEvent('order.placed');

  it('trusts an event that carries the version ingestion writes after validating it', () => {
    // invalid on purpose: with the header it is not validated again (ingestion did), so it passes as is
    const unchecked = { ...event, occurredAt: 'not a date' };
    const decoded = decodeEventMessage(message(unchecked, { [SCHEMA_HEADER]: EVENT_SCHEMA }));
    expect(decoded).toEqual({ ok: true, value: unchecked });
  });

  it('validates in full an event without the header or with another version', () => {
    expect(decodeEventMessage(message(event)).ok).toBe(true);
    for (const headers of [{}, { [SCHEMA_HEADER]: 'event/2' }] as Record<string, string>[]) {
      const decoded = decodeEventMessage(message({ ...event, occurredAt: 'yesterday' }, headers));
      expect(decoded.ok).toBe(false);
      expect(!decoded.ok && decoded.reason).toMatch(/^invalid event: occurredAt: occurredAt must be an ISO 8601 timestamp/);
    }
  });

  it('rejects what is not a JSON object, header or not', () => {
    expect(decodeEventMessage({ value: null, headers: {} })).toEqual({ ok: false, reason: 'empty message value' });
    expect(decodeEventMessage(message('{not json', { [SCHEMA_HEADER]: EVENT_SCHEMA }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    expect(decodeEventMessage(message([1, 2], { [SCHEMA_HEADER]: EVENT_SCHEMA })).ok).toBe(false);
  });
});

describe('decodeContractMessage', () => {
  it('trusts a signal with the builder header, validates one without', () => {
    const bogus = { ruleId: 7 };
    expect(decodeContractMessage(FraudSignal, SIGNAL_SCHEMA, message(bogus, { [SCHEMA_HEADER]: SIGNAL_SCHEMA }))).toEqual({ ok: true, value: bogus });
    const checked = decodeContractMessage(FraudSignal, SIGNAL_SCHEMA, message(bogus));
    expect(checked).toMatchObject({ ok: false, reason: 'invalid FraudSignal' });
    // without a schema to trust (decisions from clients) the header changes nothing
    expect(decodeContractMessage(FraudSignal, null, message(bogus, { [SCHEMA_HEADER]: SIGNAL_SCHEMA })).ok).toBe(false);
  });
});
