import Ajv from 'ajv';
import fc from 'fast-check';
import { IsEmail, IsFQDN, IsOptional, IsString, ValidateIf } from 'class-validator';
import { AlertDecision, FraudAlert } from './alerts';
import { contractSchemas } from './contract-schemas';
import { compileEventSchemaCheck, compileMessageCheck, constraintChecks } from './compiled-contract-checks';
import { buildSignal } from './signal-builder';
import { FraudSignal } from './signals';
import { validateMessage, validateMessageWithClassValidator } from './validate-message';
import { EVENT_TYPE_NAMES } from './event-types';
import { exampleEvent } from './examples';
import { validateEvent, validateEventWithClassValidator } from './validate-event';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value in `value` ([] is the event itself). */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const own = [at];
  if (Array.isArray(value)) return [...own, ...value.flatMap((v, i) => paths(v, [...at, i]))];
  if (value && typeof value === 'object') return [...own, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  return own;
}

/** A copy of `event` with the value at `path` replaced (`undefined`: deleted). */
function mutate(event: Json, path: (string | number)[], replacement: Json | undefined): Json {
  const copy = structuredClone(event) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

// Values near what each constraint allows: formats the schema alone would take (two letters that
// are no country, too many decimals), lengths at the limits, wrong types.
const REPLACEMENTS: (Json | undefined)[] = [
  undefined, null, true, 0, -1, 1.5, 12.123456789, 1e-7, 2 ** 40 + 1, 1e19, '', ' ', 'ZZ', 'de', 'DE', 'EUR', 'eur',
  '10.0.0.1', '999.1.1.1', '::1', 'fe80::1%eth0', '2026-02-30', '2026-11-23', '2026-11-23T10:00:00', '2026-W48',
  'example.com', 'localhost', 'exa mple.com', 'x'.repeat(128), 'x'.repeat(129), 'y'.repeat(5000), 'é', 'a\u0000b',
  'card', 'crypto', [], [{}], {}, { extra: 1 },
];

describe('the door fast path (compiled JSON Schemas) against class-validator', () => {
  const check = compileEventSchemaCheck();
  const examples = EVENT_TYPE_NAMES.map((type) => exampleEvent(type) as unknown as Json);

  it('compiles schemas that are valid draft-07 (the compiler skips that check for speed)', () => {
    const metaChecking = new Ajv({ strict: false });
    for (const [file, schema] of Object.entries(contractSchemas())) {
      expect([file, metaChecking.validateSchema(schema), metaChecking.errors]).toEqual([file, true, null]);
    }
  });

  it.each(EVENT_TYPE_NAMES)('accepts the example %s, so valid events take the fast path', (type) => {
    expect(check(exampleEvent(type) as unknown as Record<string, unknown>)).toBe(true);
  });

  it('never accepts a mutation of an example that class-validator refuses', () => {
    const disagreements: string[] = [];
    let acceptedByBoth = 0;
    let refusedByBoth = 0;
    let refusedOnlyBySchema = 0;
    for (const example of examples) {
      for (const path of paths(example).filter((p) => p.length > 0)) {
        for (const replacement of REPLACEMENTS) {
          const candidate = mutate(example, path, replacement) as Record<string, unknown>;
          const fast = check(candidate);
          const slow = validateEventWithClassValidator(candidate).ok;
          if (fast && !slow) disagreements.push(`${String(candidate['type'])} ${path.join('.')} = ${JSON.stringify(replacement)}`);
          if (fast && slow) acceptedByBoth++;
          if (!fast && !slow) refusedByBoth++;
          if (!fast && slow) refusedOnlyBySchema++;
        }
      }
      // a field no class declares, at the top and in the payload
      for (const at of [[], ['data']]) {
        const candidate = mutate(example, [...at, 'unexpected'], 'x') as Record<string, unknown>;
        expect([check(candidate), validateEventWithClassValidator(candidate).ok]).toEqual([false, false]);
      }
    }
    expect(disagreements).toEqual([]);
    // the comparison exercised both verdicts (a check that refused or took everything would show here)
    expect(acceptedByBoth).toBeGreaterThan(500);
    expect(refusedByBoth).toBeGreaterThan(5000);
    // what only the schema refuses (null for an optional field, ISO 8601 forms beyond RFC 3339) is
    // accepted by validateEvent through class-validator: same verdict, slower
    expect(refusedOnlyBySchema).toBeGreaterThan(0);
  });

  it('never accepts what class-validator refuses, for arbitrary values at any path (property)', () => {
    const jsonValue = fc.oneof(
      fc.constantFrom<Json | undefined>(...REPLACEMENTS),
      fc.string({ maxLength: 140 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
    );
    const candidate = fc
      .tuple(fc.nat({ max: examples.length - 1 }), fc.nat(), jsonValue)
      .map(([e, p, value]) => {
        const all = paths(examples[e]).filter((x) => x.length > 0);
        return mutate(examples[e], all[p % all.length], value) as Record<string, unknown>;
      });
    fc.assert(
      fc.property(candidate, (event) => !check(event) || validateEventWithClassValidator(event).ok),
      { numRuns: 3000 },
    );
  });

  it('gives validateEvent the same verdicts and errors as class-validator alone', () => {
    const valid = exampleEvent('order.placed');
    const fast = validateEvent(valid);
    const slow = validateEventWithClassValidator(valid);
    expect(fast.ok && slow.ok && JSON.stringify(fast.event)).toBe(JSON.stringify(valid));
    expect(fast.ok && slow.ok && [fast.family, fast.key]).toEqual(slow.ok && [slow.family, slow.key]);
    const invalid = mutate(exampleEvent('order.placed') as unknown as Json, ['data', 'shippingAddress', 'country'], 'ZZ');
    expect(validateEvent(invalid)).toEqual(validateEventWithClassValidator(invalid));
    expect(validateEvent(invalid)).toMatchObject({ ok: false, errors: [{ field: 'data.shippingAddress.country' }] });
  });

  it('leaves hostile shapes to class-validator instead of throwing', () => {
    const hostile = { ...exampleEvent('account.created'), version: { toString: {} } } as unknown as Record<string, unknown>;
    expect(check(hostile)).toBe(false);
    expect(validateEvent(hostile)).toMatchObject({ ok: false });
  });

  it('refuses to compile a constraint it has not been told about, naming the class and field', () => {
    class WithEmail {
      @IsEmail()
      contact!: string;
    }
    class WithCondition {
      @ValidateIf(() => true)
      @IsString()
      note!: string;
    }
    class WithEach {
      @IsOptional()
      @IsFQDN({}, { each: true })
      domains!: string[];
    }
    expect(() => constraintChecks(WithEmail)).toThrow(/WithEmail\.contact: isEmail is not known/);
    expect(() => constraintChecks(WithCondition)).toThrow(/WithCondition\.note: conditionalValidation is not known/);
    expect(() => constraintChecks(WithEach)).toThrow(/WithEach\.domains: isFqdn with "each"/);
  });
});

describe('the compiled checks of signals, alerts and decisions against class-validator', () => {
  const signal = buildSignal(
    {
      ruleId: 'card-order-burst',
      ruleVersion: 2,
      mode: 'enforce',
      severity: 'medium',
      subject: { type: 'card', id: 'card-1', tenantId: 't1' },
      reason: '5 orders on one card within 10m',
      measurements: [{ name: 'card.order.count', value: 5, threshold: 5, comparator: '>=', window: '10m' }],
      evidence: { window: '10m' },
    },
    exampleEvent('order.placed', { id: 'evt-1', tenantId: 't1', correlationId: 'journey-1' }),
    new Date('2026-11-23T10:00:05.000Z'),
    'velocity',
  );
  const alert = {
    alertId: 'alert-1',
    schemaVersion: 1,
    revision: 2,
    subject: signal.subject,
    severity: 'medium',
    score: 42.5,
    status: 'open',
    signals: [signal],
    summary: 'one rule fired',
    firstSeenAt: signal.occurredAt,
    lastSeenAt: signal.occurredAt,
    correlationId: 'journey-1',
  };
  const decision = { decisionId: 'dec-1', alertId: 'alert-1', decision: 'confirmed_fraud', analyst: 'ana', comment: 'seen before', decidedAt: '2026-11-23T10:05:00.000Z' };
  const cases: [string, new () => object, Json][] = [
    ['FraudSignal', FraudSignal, signal as unknown as Json],
    ['FraudAlert', FraudAlert, alert as unknown as Json],
    ['AlertDecision', AlertDecision, decision as unknown as Json],
  ];

  it.each(cases)('accepts the example %s on the fast path, and class-validator agrees', (_name, cls, example) => {
    expect(validateMessageWithClassValidator(cls, example as object).ok).toBe(true);
    expect(compileMessageCheck(cls)(example as Record<string, unknown>)).toBe(true);
  });

  it.each(cases)('never accepts a mutation of the example %s that class-validator refuses', (_name, cls, example) => {
    const check = compileMessageCheck(cls);
    const disagreements: string[] = [];
    let refusedByBoth = 0;
    for (const path of paths(example).filter((p) => p.length > 0)) {
      for (const replacement of REPLACEMENTS) {
        const candidate = mutate(example, path, replacement) as Record<string, unknown>;
        const slow = validateMessageWithClassValidator(cls, candidate).ok;
        if (check(candidate) && !slow) disagreements.push(`${path.join('.')} = ${JSON.stringify(replacement)}`);
        if (!check(candidate) && !slow) refusedByBoth++;
      }
    }
    expect(disagreements).toEqual([]);
    expect(refusedByBoth).toBeGreaterThan(50);
  });

  it('gives validateMessage the errors of class-validator for what it refuses', () => {
    const invalid = { ...decision, decision: 'maybe' };
    expect(validateMessage(AlertDecision, invalid)).toEqual(validateMessageWithClassValidator(AlertDecision, invalid));
    expect(validateMessage(AlertDecision, invalid)).toMatchObject({ ok: false, errors: [{ field: 'decision' }] });
  });
});
