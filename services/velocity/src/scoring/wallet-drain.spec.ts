import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EntityEventResult } from '@vigil/counters';
import { validateEvent, VigilEvent } from '@vigil/contracts';
import { counter } from '@vigil/observability';
import { evaluateCondition, parseRulesFile } from '@vigil/rules';
import { T0, transfer } from '../../test-support/traffic';
import { KNOWN_METRICS, drainRatio, eventMetrics, planEvent } from '@vigil/velocity-scoring';

const SHIPPED = parseRulesFile(readFileSync(join(__dirname, '../../rules/velocity-rules.yaml'), 'utf8'), { isKnownMetric: (m) => KNOWN_METRICS.has(m) });
const rule = SHIPPED.find((r) => r.id === 'wallet-drain-new-destination')!;
// The same counter instance event-features registered (same name: the registry returns it).
const inconsistent = counter({ name: 'vigil_velocity_inconsistent_wallet_transfers_total', help: '', labelNames: ['kind'] });

function walletTransfer(amount: number, balanceBefore: number): VigilEvent {
  const result = validateEvent(transfer('m1', T0, 'wal-from', 'wal-to', amount, balanceBefore));
  if (!result.ok) throw new Error(`fixture is invalid: ${JSON.stringify(result.errors)}`);
  return result.event;
}

/** Engine results as the Lua script would return them: the destination is new to the from-wallet. */
function metricsOf(event: VigilEvent): Map<string, number> {
  const touches = planEvent(event);
  const results = touches.map((touch, i): EntityEventResult => ({
    entity: { tenantId: 'm1', type: touch.type, id: touch.id },
    eventId: event.id,
    status: 'applied',
    counters: {},
    facts: {},
    sets: i === 0 ? { destinations: { isNew: true, size: 1 } } : {},
    baselines: {},
    listEntry: null,
  }));
  return eventMetrics(event, touches, results);
}

const inconsistentCount = async () => (await inconsistent.get()).values.reduce((sum, v) => sum + v.value, 0);

describe('wallet-drain-new-destination', () => {
  it('is version 2 of the shipped rule (bounded drain ratio)', () => {
    expect(rule).toMatchObject({ version: 2, subject: 'wallet', events: ['wallet.transfer'] });
  });

  it.each([
    ['exactly 100 %', 100, 100, true],
    ['96 %', 96, 100, true],
    ['95 % (the bound)', 95, 100, true],
    ['94 %', 94, 100, false],
    ['50 %', 50, 100, false],
    ['500 % (more than the balance)', 500, 100, false],
  ])('%s of the balance to a new destination: fires = %s', (_label, amount, balance, fires) => {
    const evaluation = evaluateCondition(rule.when, metricsOf(walletTransfer(amount, balance)));
    expect(evaluation.fired).toBe(fires);
    if (fires) expect(evaluation.measurements.find((m) => m.name === 'wallet.drain_ratio')?.value).toBe(amount / balance);
  });

  it('emits no drain ratio for an amount above the balance and counts it as inconsistent', async () => {
    const before = await inconsistentCount();
    expect(metricsOf(walletTransfer(500, 100)).has('wallet.drain_ratio')).toBe(false);
    expect(metricsOf(walletTransfer(1, 0)).has('wallet.drain_ratio')).toBe(false);
    expect(await inconsistentCount()).toBe(before + 2);
    expect(metricsOf(walletTransfer(100, 100)).get('wallet.drain_ratio')).toBe(1);
    expect(metricsOf(walletTransfer(50, 100)).get('wallet.drain_ratio')).toBe(0.5);
    expect(await inconsistentCount()).toBe(before + 2);
  });

  it('treats float noise on a full drain as the whole balance, not as inconsistent', () => {
    expect(drainRatio({ amount: 0.1 + 0.2, balanceBefore: 0.3 })).toBe(1);
    expect(drainRatio({ amount: 0.30001, balanceBefore: 0.3 })).toBe('inconsistent');
    expect(drainRatio({ amount: 0, balanceBefore: 0 })).toBeUndefined();
  });
});
