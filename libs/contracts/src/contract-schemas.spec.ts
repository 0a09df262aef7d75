import { contractSchemas, partitionKeyField } from './contract-schemas';
import { EVENT_TYPE_NAMES, EVENT_TYPES } from './event-types';
import { EXAMPLE_PAYLOADS } from './examples';
import { classSchemas } from './json-schema';

describe('contract JSON Schemas (generated from the class-validator classes)', () => {
  const schemas = contractSchemas();

  it('fixes type and version per event type, and points data at its payload class', () => {
    expect(schemas['order.placed.v1.json']).toMatchObject({
      properties: { type: { const: 'order.placed' }, version: { const: 1 }, data: { $ref: '#/definitions/OrderPlaced' } },
      required: expect.arrayContaining(['id', 'type', 'version', 'occurredAt', 'tenantId', 'data']),
      additionalProperties: false,
    });
    // nested classes are definitions of the same file, closed like the validator's whitelist
    expect(schemas['order.placed.v1.json'].definitions).toMatchObject({
      OrderPlaced: { additionalProperties: false, properties: { amount: { $ref: '#/definitions/Money' } } },
      Money: { additionalProperties: false, required: ['amount', 'currency'] },
      OrderItem: { properties: { unitPrice: { $ref: '#/definitions/Money' } } },
    });
  });

  it('gives a payload class without decorators of its own its parent’s fields (order.delivered extends OrderRef)', () => {
    expect(schemas['order.delivered.v1.json'].definitions?.['OrderDelivered']).toMatchObject({ required: ['orderId', 'buyerId', 'sellerId'] });
  });

  it('says what the validators accept: IPv4 or IPv6, ISO 8601 date or date-time, two-letter countries', () => {
    const all = classSchemas('#/definitions/');
    expect(all['OrderPlaced'].properties?.['ip']).toEqual({ type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] });
    expect(all['EventEnvelope'].properties?.['occurredAt']).toEqual({ type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }] });
    expect(all['Address'].properties?.['country']).toMatchObject({ type: 'string', pattern: '^[A-Za-z]{2}$' });
  });

  it('leaves signals, alerts and decisions open to added fields (validateMessage checks the known ones only)', () => {
    expect(schemas['signal.json']).not.toHaveProperty('additionalProperties');
    expect(schemas['alert.json'].definitions).toHaveProperty('FraudSignal');
    expect(schemas['alert.json'].properties?.['signals']).toEqual(expect.objectContaining({ items: { $ref: '#/definitions/FraudSignal' } }));
  });

  it.each(EVENT_TYPE_NAMES)('names the partition key field of %s', (type) => {
    const field = partitionKeyField(type).replace(/^data\./, '');
    const data = EXAMPLE_PAYLOADS[type] as unknown as Record<string, string>;
    expect((EVENT_TYPES[type].key as (d: object) => string)(data)).toBe(data[field]);
  });
});
