import { CountersEngine } from '@vigil/counters';
import { EventFamily, eventTimeMs, FraudSignal, VigilEvent } from '@vigil/contracts';
import { counter } from '@vigil/observability';
import { RedisClient, RedisKeys } from '@vigil/redis';
import { RuleDefinition, RulesFileOptions } from '@vigil/rules';
import { SellerDetectors } from '@vigil/seller-detectors';
import { KNOWN_METRICS, MAX_WINDOW_MS } from './counter-catalogue';
import { planEvent, toOps } from './event-features';
import { CandidateSignal, runRules } from './rule-runner';

const signalsTotal = counter({
  name: 'vigil_velocity_signals_total',
  help: 'Rule outcomes: published, deduplicated (already fired in this window bucket), suppressed (allow list)',
  labelNames: ['rule', 'mode', 'outcome'],
});
const eventsTotal = counter({
  name: 'vigil_velocity_events_total',
  help: 'Events processed by velocity (late: behind the released frontier; beyond: later than the allowed lateness, not evaluated)',
  labelNames: ['type', 'timing'],
});

/** The event families velocity merges into its one pass (the other families never reach its rules or detectors). */
export const VELOCITY_FAMILIES = ['accounts', 'orders', 'wallets', 'listings'] as const satisfies readonly EventFamily[];

/** Validation of a rules file against the metrics velocity computes (a typo is refused, not silent). */
export const VELOCITY_RULES_OPTIONS: RulesFileOptions = { isKnownMetric: (metric) => KNOWN_METRICS.has(metric) };

/** Where an event sits in velocity's event-time order: (occurredAt, id), one stream per tenant (docs/event-time.md). */
export function eventOrderKey(event: VigilEvent): { timeMs: number; id: string; stream: string } {
  return { timeMs: eventTimeMs(event), id: event.id, stream: event.tenantId };
}

/** One event of a released chunk, with the sequencer's verdict (SequencedMessage of @vigil/kafka has this shape). */
export interface PassEvent {
  value: VigilEvent;
  late: boolean;
  beyondLateness: boolean;
}

/**
 * Velocity's per-chunk use case, without Kafka or Nest: the live consumer calls it for every
 * chunk the event-time runner releases, the offline backtest (libs/simulator) for every chunk of
 * a recorded stream, so a backtest measures exactly what the service would decide.
 *
 * Per chunk: each event is turned into counter operations, the counters engine applies them
 * (one Redis round trip) while the seller and fund-flow detectors run over the in-time events,
 * the rules are evaluated in memory, and a claim round trip (only if something fired) keeps
 * each rule to one signal per subject and window bucket. Idempotent: a redelivered chunk
 * re-derives the same signals with the same ids. Events beyond the allowed lateness update
 * order-independent state only and are never evaluated.
 */
export class VelocityPass {
  readonly engine: CountersEngine;

  constructor(
    redis: RedisClient,
    keys: RedisKeys,
    private readonly detectors: SellerDetectors,
    private readonly allowedLatenessMs: number,
  ) {
    this.engine = new CountersEngine(redis, keys, { allowedLatenessMs, maxWindowMs: MAX_WINDOW_MS });
  }

  /**
   * The signals of one chunk (rules first, then detectors), in the order they are to be published.
   * `rules`: one list for every tenant, or each tenant's (the file's rules with its changes).
   */
  async run(chunk: readonly PassEvent[], rules: readonly RuleDefinition[] | ((tenantId: string) => readonly RuleDefinition[]), clock: () => Date = () => new Date()): Promise<FraudSignal[]> {
    const rulesOf = typeof rules === 'function' ? rules : () => rules;
    const events = chunk.map((m) => m.value);
    const plans = events.map(planEvent);
    const ops = events.flatMap((event, i) => toOps(event, plans[i], chunk[i].beyondLateness));
    const inTime = events.filter((_, i) => !chunk[i].beyondLateness);
    const [results, detected] = await Promise.all([this.engine.apply(ops), this.detectors.detect(inTime)]);
    const now = clock(); // the signals' detectedAt: once the state they read is known
    const candidates: CandidateSignal[] = [];
    // Redelivered events whose chunk had published its signals before the consumer died (see
    // ApplyStatus 'settled'): nothing of theirs is evaluated again, detectors' signals included.
    const settled = new Set<string>();
    let offset = 0;
    chunk.forEach((m, i) => {
      eventsTotal.inc({ type: m.value.type, timing: m.beyondLateness ? 'beyond_lateness' : m.late ? 'late' : 'in_order' });
      const own = results.slice(offset, offset + plans[i].length);
      offset += plans[i].length;
      if (own.some((r) => r.status === 'settled')) settled.add(m.value.id);
      if (m.beyondLateness || settled.has(m.value.id)) return;
      const run = runRules(m.value, plans[i], own, rulesOf(m.value.tenantId), this.allowedLatenessMs, now);
      run.suppressed.forEach((rule) => signalsTotal.inc({ rule, mode: 'n/a', outcome: 'suppressed' }));
      candidates.push(...run.candidates);
    });
    const allowed = await this.engine.claimOnce(candidates.map((c) => c.claim));
    const fromRules = candidates.filter((c, i) => {
      signalsTotal.inc({ rule: c.signal.ruleId, mode: c.signal.mode, outcome: allowed[i] ? 'published' : 'deduplicated' });
      return allowed[i];
    });
    return [...fromRules.map((c) => c.signal), ...detected.filter((signal) => !settled.has(signal.triggeringEvents[0]?.eventId ?? ''))];
  }
}
