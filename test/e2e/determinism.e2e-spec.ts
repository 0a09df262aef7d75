import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { EVENT_TYPES, EventType, FraudAlert, FraudSignal, topicNames } from '@vigil/contracts';
import { PATTERN_NAMES, sendEvents, simulate, SimulationResult } from '@vigil/simulator';
import { testStack, TopicProbe, waitFor } from '@vigil/testing';
import { RunningSystem, startSystem } from './system';

/*
 * Determinism (docs/event-time.md): the same events give the same signals and the same alerts
 * whatever way they come in. One simulated marketplace hour (VIGIL_DETERMINISM_MINUTES) with every fraud pattern injected
 * (seed 42: sign-ups, logins, listings, orders, payments, reviews, wallet transfers over all
 * five family topics; the exit scam plays over days) is sent four ways, each to a fresh
 * system (own topics and Redis keys):
 *   1. HTTP batches at full speed;
 *   2. produced straight to the Kafka intake topic at full speed (keyed by each event's key);
 *   3. HTTP paced at 200 events/s;
 *   4. HTTP at full speed with two instances each of velocity and review-analysis.
 * The signal ids and the final revision of every alert must be identical in all four.
 */
const SEED = 42;
/** 60 in `npm test` (~6,000 events, every pattern); VIGIL_DETERMINISM_MINUTES=1440 runs the full day (~50,000). */
const MINUTES = Number(process.env['VIGIL_DETERMINISM_MINUTES'] ?? 60);
const LONG_RUN = MINUTES > 60;
const TENANT = 'tenant-det';
const OUT = mkdtempSync(join(tmpdir(), 'vigil-determinism-'));

interface RunResult {
  signalIds: string[];
  alerts: string[];
}

/** An alert's final revision without wall-clock fields (detectedAt, createdAt...). */
function alertFingerprint(alert: FraudAlert): string {
  return JSON.stringify({
    alertId: alert.alertId,
    revision: alert.revision,
    subject: alert.subject,
    severity: alert.severity,
    score: alert.score,
    status: alert.status,
    firstSeenAt: alert.firstSeenAt,
    lastSeenAt: alert.lastSeenAt,
    signals: alert.signals.map((s) => s.signalId).sort(),
  });
}

async function settle(probes: TopicProbe<unknown>[], quietMs: number, timeoutMs: number): Promise<void> {
  let seen = -1;
  let quietSince = Date.now();
  await waitFor(
    'the signal and alert streams to settle',
    () => {
      const total = probes.reduce((n, p) => n + p.messages.length, 0);
      if (total !== seen) {
        seen = total;
        quietSince = Date.now();
      }
      return seen > 0 && Date.now() - quietSince > quietMs;
    },
    timeoutMs,
    250,
  );
}

async function produceToIntake(system: RunningSystem, events: SimulationResult['events']): Promise<void> {
  const kafka = new Kafka({ clientId: 'determinism-test', brokers: testStack().brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const topic = topicNames(system.topicPrefix).intake;
    for (let i = 0; i < events.length; i += 500) {
      const messages = events.slice(i, i + 500).map((e) => {
        const type = e.type as EventType;
        const key = (EVENT_TYPES[type].key as (d: unknown) => string)(e.data);
        return { key, value: JSON.stringify(e) };
      });
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

async function run(simulation: SimulationResult, way: 'http' | 'intake' | 'paced' | 'two-instances'): Promise<RunResult> {
  const system = await startSystem(TENANT, { instances: way === 'two-instances' ? 2 : 1 });
  const names = topicNames(system.topicPrefix);
  const signals = await TopicProbe.start<FraudSignal>(testStack().brokers, [names.signals]);
  const alerts = await TopicProbe.start<FraudAlert>(testStack().brokers, [names.alerts]);
  try {
    if (way === 'intake') await produceToIntake(system, simulation.events);
    else {
      const sent = await sendEvents(simulation.events, {
        url: system.ingestionUrl,
        apiKey: system.apiKey,
        batchSize: 500,
        rate: way === 'paced' ? 200 : 'max',
      });
      expect(sent.accepted).toBe(simulation.events.length);
    }
    await settle([signals, alerts] as TopicProbe<unknown>[], 6000, LONG_RUN ? 1_200_000 : 300_000);
    const latest = new Map<string, FraudAlert>();
    for (const { value } of alerts.messages) {
      const known = latest.get(value.alertId);
      if (!known || known.revision < value.revision) latest.set(value.alertId, value);
    }
    // Kept for diagnosis of a failing comparison.
    writeFileSync(
      join(OUT, `${way}.signals.tsv`),
      [...new Map(signals.messages.map((m) => [m.value.signalId, m.value])).values()]
        .map((v) => [v.signalId, v.ruleId, v.subject.type, v.subject.id, v.triggeringEvents[0]?.eventId, v.occurredAt, JSON.stringify(v.measurements)].join('\t'))
        .sort()
        .join('\n'),
    );
    return {
      signalIds: [...new Set(signals.messages.map((m) => m.value.signalId))].sort(),
      alerts: [...latest.values()].map(alertFingerprint).sort(),
    };
  } finally {
    await signals.stop();
    await alerts.stop();
    await system.stop();
  }
}

describe('determinism: the same events give the same signals and alerts, whatever the way in', () => {
  const simulation = simulate({ seed: SEED, minutes: MINUTES, inject: ['all'], tenantId: TENANT });
  const results = new Map<string, RunResult>();

  it('covers every pattern and every family topic', () => {
    console.log(`determinism: seed ${SEED}, ${MINUTES} minutes, ${simulation.events.length} events`);
    const patterns = new Set(simulation.injected.map((p) => p.pattern));
    expect([...patterns].sort()).toEqual([...PATTERN_NAMES].sort());
    const families = new Set(simulation.events.map((e) => EVENT_TYPES[e.type as EventType].family));
    expect(families.size).toBe(5);
  });

  const ways = (process.env['VIGIL_DETERMINISM_WAYS']?.split(',') ?? ['http', 'intake', 'paced', 'two-instances']) as ('http' | 'intake' | 'paced' | 'two-instances')[];
  for (const way of ways) {
    it(`runs ${way}`, async () => {
      const result = await run(simulation, way);
      expect(result.signalIds.length).toBeGreaterThan(50);
      expect(result.alerts.length).toBeGreaterThan(10);
      results.set(way, result);
    }, LONG_RUN ? 1_800_000 : 420_000);
  }

  it('gives identical signal ids and alerts in all four runs', () => {
    const reference = results.get('http')!;
    expect(reference).toBeDefined();
    console.log(`determinism: run files in ${OUT}`);
    for (const way of ways.filter((w) => w !== 'http')) {
      const other = results.get(way)!;
      expect(other).toBeDefined();
      expect({ way, signals: other.signalIds }).toEqual({ way, signals: reference.signalIds });
      expect({ way, alerts: other.alerts }).toEqual({ way, alerts: reference.alerts });
    }
  });
});
