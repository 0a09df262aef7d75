import { deadLetterMessage, InboundMessage, strippedDeadLetter } from '@vigil/kafka';
import { JsonSchema } from '../json-schema';
import { DEAD_LETTER_SCHEMA } from './dead-letter-schema';

const jsonType = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value);

/** Every field of `record` is declared with a matching type, and every required field is present. */
function conforms(record: Record<string, unknown>, schema: JsonSchema): string[] {
  const problems = (schema.required ?? []).filter((field) => !(field in record)).map((field) => `missing ${field}`);
  for (const [field, value] of Object.entries(record)) {
    const declared = schema.properties?.[field];
    if (!declared) problems.push(`undeclared ${field}`);
    else if (declared.type) {
      const types = ([] as string[]).concat(declared.type);
      const actual = jsonType(value);
      if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) problems.push(`${field}: ${actual}, declared ${types.join('|')}`);
      if (actual === 'object' && declared.properties) problems.push(...conforms(value as Record<string, unknown>, declared).map((p) => `${field}.${p}`));
    }
  }
  return problems;
}

describe('dead-letter.json against the records libs/kafka writes', () => {
  const message: InboundMessage = { topic: 't.events.intake', partition: 2, offset: '7', key: null, value: Buffer.from([0xff, 0xfe]), headers: { 'vigil-tenant': 'a' }, timestamp: '1' };

  it('describes a record, a truncated record and a stripped one', () => {
    const whole = deadLetterMessage('t.events.deadletter', 'group', message, 'invalid event', { errors: [{ field: 'id' }] });
    const truncated = deadLetterMessage('t.events.deadletter', 'group', { ...message, value: Buffer.from('x'.repeat(5000)) }, 'too big', undefined, 1000);
    const records = [whole, truncated, strippedDeadLetter(whole)].map((m) => JSON.parse(m.value) as Record<string, unknown>);
    expect(records[1]['payloadTruncated']).toBe(true);
    for (const record of records) expect(conforms(record, DEAD_LETTER_SCHEMA)).toEqual([]);
  });

  it('is checked by this spec: an undeclared or mistyped field is found', () => {
    expect(conforms({ reason: 1, extra: true }, DEAD_LETTER_SCHEMA)).toEqual(expect.arrayContaining(['reason: integer, declared string', 'undeclared extra', 'missing consumerGroup']));
  });
});
