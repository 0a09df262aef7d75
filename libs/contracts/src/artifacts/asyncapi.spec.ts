import { join } from 'node:path';
import { fromFile, Parser } from '@asyncapi/parser';
import { AlertDecision, FraudAlert } from '../alerts';
import { FraudSignal } from '../signals';
import { topicNames } from '../topics';
import { validateEvent } from '../validate-event';
import { validateMessage } from '../validate-message';
import { CONTRACTS_ROOT } from './artifacts';
import { asyncApiDocument } from './asyncapi';

const ERROR = 0; // DiagnosticSeverity.Error

describe('asyncapi.yaml', () => {
  it('parses with @asyncapi/parser without errors, every payload $ref resolved, and has a channel per topic of topics.ts', async () => {
    const { document, diagnostics } = await fromFile(new Parser(), join(CONTRACTS_ROOT, 'asyncapi.yaml')).parse();
    expect(diagnostics.filter((d) => d.severity === ERROR).map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`)).toEqual([]);
    expect(document).toBeDefined();
    const t = topicNames();
    const topics = [t.intake, ...Object.values(t.events), t.deadLetter, t.signals, t.alerts, t.decisions, t.rules];
    expect(document!.channels().all().map((c) => c.address()).sort()).toEqual([...topics].sort());
    for (const message of document!.messages().all()) {
      if (message.id() === 'watermark') continue; // no event: an empty value (asserted below)
      // the schema files were read and inlined: a payload is a resolved object schema, not a dangling reference
      expect({ message: message.id(), properties: Object.keys(message.payload()?.properties() ?? {}).length > 0 }).toEqual({ message: message.id(), properties: true });
    }
    expect(document!.operations().all().length).toBeGreaterThan(0);
    for (const operation of document!.operations().all()) expect(operation.channels().all()).toHaveLength(1);
  });

  it('keys and headers of the family topics are what ingestion writes', () => {
    const message = asyncApiDocument().components.messages['order.placed.v1'];
    expect(message.bindings.kafka.key.description).toMatch(/^data\.buyerId:/);
    expect(message.headers?.required).toEqual(['vigil-event-type', 'vigil-tenant', 'vigil-schema', 'vigil-batch']);
    expect(message.headers?.properties?.['vigil-schema']).toMatchObject({ const: 'event/1' });
    expect(asyncApiDocument().components.messages['signal'].headers?.required).toEqual(['vigil-rule', 'vigil-mode', 'vigil-schema-version', 'vigil-schema']);
    expect(asyncApiDocument().components.messages['dead-letter'].headers?.required).toEqual(['vigil-dlq-reason', 'vigil-dlq-source']);
    const watermark = asyncApiDocument().components.messages['watermark'];
    expect(watermark.headers?.required).toEqual(['vigil-batch', 'vigil-watermark']);
    expect(asyncApiDocument().channels['events.orders']?.messages).toHaveProperty('watermark');
  });

  it('every message example passes the contract validators', () => {
    const validators: Record<string, (payload: unknown) => { ok: boolean }> = {
      signal: (p) => validateMessage(FraudSignal, p),
      alert: (p) => validateMessage(FraudAlert, p),
      decision: (p) => validateMessage(AlertDecision, p),
      'dead-letter': (p) => ({ ok: typeof p === 'object' && p !== null && 'reason' in p }),
      watermark: (p) => ({ ok: p === '' }),
      // RuleChange is libs/rules' (contracts cannot import it): the example has every required field of its schema
      'rule-change': (p) => ({ ok: typeof p === 'object' && p !== null && ((asyncApiDocument().components.messages['rule-change'].payload.required ?? []) as string[]).every((k) => k in p) }),
    };
    const messages = Object.entries(asyncApiDocument().components.messages);
    expect(messages.length).toBe(16 + 6 + 1);
    for (const [id, message] of messages) {
      expect(message.examples?.length).toBeGreaterThan(0);
      for (const example of message.examples ?? []) {
        const validate = validators[id] ?? validateEvent;
        expect({ id, ok: validate(example.payload).ok }).toEqual({ id, ok: true });
      }
    }
  });
});
