import { EVENT_TYPE_NAMES, EVENT_TYPES } from './event-types';
import { exampleEvent } from './examples';
import { validateEvent } from './validate-event';

describe('validateEvent', () => {
  it.each(EVENT_TYPE_NAMES)('accepts the example %s and routes it to its family with its key', (type) => {
    const result = validateEvent(exampleEvent(type));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.family).toBe(EVENT_TYPES[type].family);
    expect(result.key.length).toBeGreaterThan(0);
  });

  it('reports every failing field with a path and a reason', () => {
    const event = exampleEvent('order.placed', { occurredAt: 'yesterday', tenantId: '' });
    (event.data as { amount: unknown }).amount = { amount: -5, currency: 'euro' };
    (event.data as { items: unknown[] }).items = [];
    const result = validateEvent(event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const fields = result.errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['occurredAt', 'tenantId', 'data.amount.amount', 'data.amount.currency', 'data.items']),
    );
    expect(result.errors.find((e) => e.field === 'data.amount.currency')?.reason).toMatch(/ISO 4217/);
  });

  it('rejects unknown types and unsupported versions with a clear reason', () => {
    const unknownType = validateEvent({ ...exampleEvent('order.placed'), type: 'order.teleported' });
    expect(unknownType.ok).toBe(false);
    if (!unknownType.ok) expect(unknownType.errors[0]).toMatchObject({ field: 'type', constraint: 'isIn' });

    const badVersion = validateEvent({ ...exampleEvent('order.placed'), version: 7 });
    expect(badVersion.ok).toBe(false);
    if (!badVersion.ok)
      expect(badVersion.errors).toContainEqual(expect.objectContaining({ field: 'version', constraint: 'knownVersion' }));
  });

  it('rejects unknown fields so typos do not pass silently', () => {
    const event = exampleEvent('review.posted');
    (event.data as unknown as Record<string, unknown>)['ratting'] = 5;
    const result = validateEvent(event);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContainEqual(expect.objectContaining({ field: 'data.ratting' }));
  });

  it.each([null, 42, 'text', [], [{}]])('rejects a non-object %p without throwing', (raw) => {
    expect(validateEvent(raw).ok).toBe(false);
  });
});

describe('validateEvent on hostile shapes', () => {
  it('rejects objects with an own "constructor" key instead of throwing', () => {
    const raw = JSON.parse('{"id":{"constructor":{}},"type":"account.created","version":1,"data":{}}');
    const result = validateEvent(raw);
    expect(result.ok).toBe(false);
  });
});
