import { exampleEvent } from './examples';
import { buildSignal, signalId, signalRecord, SignalSpec } from './signal-builder';
import { FraudSignal, Subject } from './signals';
import { validateMessage } from './validate-message';

const subject: Subject = { type: 'card', id: 'card-1', tenantId: 't1' };
const spec: SignalSpec = {
  ruleId: 'card-order-burst',
  ruleVersion: 2,
  mode: 'enforce',
  severity: 'medium',
  subject,
  reason: '5 orders on one card within 10m',
  measurements: [{ name: 'card.order.count', value: 5, threshold: 5, comparator: '>=', window: '10m' }],
  evidence: { window: '10m' },
};
const event = exampleEvent('order.placed', { id: 'evt-1', tenantId: 't1', occurredAt: '2026-03-01T12:00:00.000Z', correlationId: 'journey-1' });
const AT = new Date('2026-03-01T12:00:05.000Z');

describe('signalId', () => {
  it('gives the same id for the same rule, version, subject and triggering event', () => {
    expect(signalId('card-order-burst', 2, subject, 'evt-1')).toBe(signalId('card-order-burst', 2, { ...subject }, 'evt-1'));
    expect(signalId('card-order-burst', 2, subject, 'evt-1')).toMatch(/^sig-[0-9a-f]{40}$/);
  });

  it('keeps the ids velocity published before the shared builder (sha256 of the NUL-joined parts)', () => {
    expect(signalId('card-order-burst', 2, subject, 'evt-1')).toBe('sig-89e2c5ad8a71a6d2c17fd6adeb082d6b04d4139e');
  });

  it('changes when any part changes', () => {
    const base = signalId('card-order-burst', 2, subject, 'evt-1');
    const variants = [
      signalId('card-order-burst-x', 2, subject, 'evt-1'),
      signalId('card-order-burst', 3, subject, 'evt-1'),
      signalId('card-order-burst', 2, { ...subject, tenantId: 't2' }, 'evt-1'),
      signalId('card-order-burst', 2, { ...subject, type: 'account' }, 'evt-1'),
      signalId('card-order-burst', 2, { ...subject, id: 'card-2' }, 'evt-1'),
      signalId('card-order-burst', 2, subject, 'evt-2'),
    ];
    for (const v of variants) expect(v).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });
});

describe('buildSignal', () => {
  it('builds a valid signal from one event: id from the triggering event, correlation and causation carried', () => {
    const signal = buildSignal(spec, event, AT, 'velocity');
    expect(validateMessage(FraudSignal, signal).ok).toBe(true);
    expect(signal).toEqual({
      signalId: signalId('card-order-burst', 2, subject, 'evt-1'),
      schemaVersion: 1,
      ruleId: 'card-order-burst',
      ruleVersion: 2,
      source: 'velocity',
      mode: 'enforce',
      severity: 'medium',
      subject,
      reason: spec.reason,
      measurements: spec.measurements,
      triggeringEvents: [{ eventId: 'evt-1', type: 'order.placed', occurredAt: '2026-03-01T12:00:00.000Z' }],
      evidence: { window: '10m' },
      occurredAt: '2026-03-01T12:00:00.000Z',
      detectedAt: '2026-03-01T12:00:05.000Z',
      correlationId: 'journey-1',
      causationId: 'evt-1',
    });
  });

  it('is deterministic: the same input gives the same id whenever it is detected', () => {
    const a = buildSignal(spec, event, AT, 'velocity');
    const b = buildSignal(spec, event, '2030-01-01T00:00:00.000Z', 'velocity');
    expect(a.signalId).toBe(b.signalId);
    expect(b.detectedAt).toBe('2030-01-01T00:00:00.000Z');
  });

  it('takes several triggering events: the first makes the id, duplicates dropped, occurredAt is the latest', () => {
    const earlier = { eventId: 'evt-0', type: 'account.payout_changed' as const, occurredAt: '2026-03-01T11:00:00.000Z' };
    const signal = buildSignal(spec, [event, earlier, { eventId: 'evt-1', type: 'order.placed', occurredAt: event.occurredAt }], AT, 'seller-detectors');
    expect(signal.signalId).toBe(signalId('card-order-burst', 2, subject, 'evt-1'));
    expect(signal.causationId).toBe('evt-1');
    expect(signal.triggeringEvents.map((e) => e.eventId)).toEqual(['evt-1', 'evt-0']);
    expect(signal.occurredAt).toBe('2026-03-01T12:00:00.000Z');
    const later = buildSignal(spec, [earlier, { eventId: 'evt-9', type: 'order.placed', occurredAt: '2026-03-01T13:00:00.000Z' }], AT, 'x');
    expect(later.occurredAt).toBe('2026-03-01T13:00:00.000Z');
    expect(later.signalId).toBe(signalId('card-order-burst', 2, subject, 'evt-0'));
    expect(later.correlationId).toBeUndefined();
  });

  it('throws on a contract violation', () => {
    expect(() => buildSignal({ ...spec, ruleVersion: 0 }, event, AT, 'velocity')).toThrow(/card-order-burst breaks the contract: ruleVersion/);
    expect(() => buildSignal({ ...spec, severity: 'extreme' as never }, event, AT, 'velocity')).toThrow(/severity/);
    expect(() => buildSignal({ ...spec, subject: { ...subject, id: '' } }, event, AT, 'velocity')).toThrow(/subject\.id/);
    expect(() => buildSignal(spec, { ...event, occurredAt: 'yesterday' }, AT, 'velocity')).toThrow(/occurredAt/);
    expect(() => buildSignal(spec, [], AT, 'velocity')).toThrow(/no triggering event/);
  });
});

describe('signalRecord', () => {
  it('keys fraud.signals by tenant and subject, carries the JSON and the routing headers', () => {
    const signal = buildSignal(spec, event, AT, 'velocity');
    const record = signalRecord(signal);
    expect(record.key).toBe('t1:card:card-1');
    expect(JSON.parse(record.value)).toEqual(signal);
    expect(record.headers).toEqual({ 'vigil-rule': 'card-order-burst', 'vigil-mode': 'enforce', 'vigil-schema-version': '1', 'vigil-schema': 'signal/1' });
  });

  it('gives the same subject in two tenants two keys', () => {
    const other = buildSignal({ ...spec, subject: { ...subject, tenantId: 't2' } }, exampleEvent('order.placed', { id: 'evt-1', tenantId: 't2' }), AT, 'velocity');
    expect(signalRecord(other).key).toBe('t2:card:card-1');
    expect(signalRecord(other).key).not.toBe(signalRecord(buildSignal(spec, event, AT, 'velocity')).key);
  });
});
