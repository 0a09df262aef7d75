import { EntityEventResult } from '@vigil/counters';
import { validateEvent, VigilEvent } from '@vigil/contracts';
import { parseRulesFile } from '@vigil/rules';
import { order, T0 } from '../../test-support/traffic';
import { planEvent, runRules } from '@vigil/velocity-scoring';

const RULES = parseRulesFile(`
version: 1
rules:
  - id: card-order-burst
    version: 2
    subject: card
    events: [order.placed]
    mode: enforce
    severity: high
    window: 10m
    when: { metric: card.order.count@10m, op: ">=", value: 5 }
    reason: "{card.order.count@10m} orders on one card"
`);

function placed(): VigilEvent {
  const result = validateEvent(order('m1', T0, { buyer: 'acc-1', card: 'card-1', device: 'dev-1' }));
  if (!result.ok) throw new Error('fixture is invalid');
  return result.event;
}

/** Engine results as the Lua script would return them, with the card's order count given. */
function results(event: VigilEvent, cardOrders: number, lists: Record<string, string> = {}): EntityEventResult[] {
  return planEvent(event).map((touch): EntityEventResult => ({
    entity: { tenantId: 'm1', type: touch.type, id: touch.id },
    eventId: event.id,
    status: 'applied' as const,
    counters: touch.type === 'card' ? { 'order.count': { 600_000: cardOrders } } : {},
    facts: {},
    sets: {},
    baselines: {},
    listEntry: lists[touch.type] ?? null,
  }));
}

describe('runRules', () => {
  const event = placed();
  const touches = planEvent(event);
  const now = new Date('2026-03-02T09:00:00Z');

  it('fires with evidence, a deterministic id and a claim for the window bucket', () => {
    const first = runRules(event, touches, results(event, 5), RULES, 600_000, now);
    const again = runRules(event, touches, results(event, 5), RULES, 600_000, new Date());
    expect(first.candidates).toHaveLength(1);
    const [{ signal, claim }] = first.candidates;
    expect(signal).toMatchObject({ ruleId: 'card-order-burst', ruleVersion: 2, subject: { type: 'card', id: 'card-1' }, reason: '5 orders on one card' });
    expect(signal.measurements).toEqual([{ name: 'card.order.count', value: 5, threshold: 5, comparator: '>=', window: '10m' }]);
    expect(signal.triggeringEvents).toEqual([{ eventId: event.id, type: 'order.placed', occurredAt: event.occurredAt }]);
    // Every entity of the event is named, so a search by any of them finds the alert.
    expect(signal.evidence).toEqual({ window: '10m', entities: touches.map((t) => ({ type: t.type, id: t.id })) });
    expect((signal.evidence as { entities: { type: string }[] }).entities.map((e) => e.type)).toEqual(expect.arrayContaining(['account', 'card', 'device']));
    expect(again.candidates[0].signal.signalId).toBe(signal.signalId);
    expect(claim).toMatchObject({ name: `fired:card-order-burst:10m:${Math.floor(T0 / 600_000)}`, value: signal.signalId, ttlMs: 1_200_000 });
    expect(runRules(event, touches, results(event, 4), RULES, 600_000, now).candidates).toEqual([]);
  });

  it('lets an allow entry suppress the rules it names and turns a deny entry into a signal', () => {
    const allow = JSON.stringify({ list: 'allow', reason: 'test', rules: ['card-order-burst'], addedAt: '', expiresAt: '' });
    const allowed = runRules(event, touches, results(event, 9, { account: allow }), RULES, 600_000, now);
    expect(allowed).toEqual({ candidates: [], suppressed: ['card-order-burst'] });

    const deny = JSON.stringify({ list: 'deny', reason: 'fraud ring', rules: [], addedAt: '2026-01-01T00:00:00Z', expiresAt: '' });
    const denied = runRules(event, touches, results(event, 1, { device: deny }), RULES, 600_000, now);
    expect(denied.candidates.map((c) => [c.signal.ruleId, c.signal.subject.type, c.signal.subject.id])).toEqual([['deny-list', 'device', 'dev-1']]);
    expect(denied.candidates[0].signal.reason).toBe('device dev-1 is on the deny list: fraud ring');
  });
});
