/*
 * One run of simulated events through the four services (separate processes from the build) on
 * a given Kafka and Redis, with faults injected while the traffic flows, and its outcome read
 * back from the topics. Shared by the fault suite (faults.ts) and the cluster suite
 * (test/cluster/cluster.ts), which compare runs of the same events.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { createRedisClient } from '@vigil/redis';
import { topicNames } from '@vigil/contracts';
import { WATERMARK_HEADER } from '@vigil/kafka';
import { SimulatedEvent } from '@vigil/simulator';
import { waitDrained } from '../bench/redis-state';
import {
  killServicesNow,
  launchServices,
  RunningService,
  ServiceName,
  startOne,
  stopServices,
  waitHealthy,
} from '../bench/support/services';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Runs a shell command and resolves with its standard output (its stderr shows). Never
 * synchronous: a broker restart takes ~10 s, during which the traffic and the fault checks must go
 * on (a blocked event loop also lets the services close the suite's idle keep-alive connections
 * unseen, and the next request on one fails).
 */
export function sh(command: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutMs });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`\`${command}\` failed (${code ?? signal})`)),
    );
  });
}

/** An environment variable the suite's runner script sets. */
export function requiredEnv(name: string, runner: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run ${runner}`);
  return value;
}

export interface Stack {
  brokers: string;
  redisUrl: string;
  redisCluster: boolean;
}

export interface Run {
  root: string;
  prefix: string;
  stack: Stack;
  services: RunningService[];
  env: Record<string, string>;
  /** Every service instance's whole output, one file each (printed in part when a check fails). */
  logDir: string;
  statuses: Map<number, number>;
  networkErrors: number;
  accepted: Set<string>;
  /** For diagnosis of a lost event: the batch it went in, and every attempt of each batch. */
  batchOf: Map<string, number>;
  attempts: Map<number, string[]>;
  statusOf: Map<string, string>;
}

export type Fault = { at: number; name: string; inject: (run: Run) => Promise<void> };

export interface ScenarioOptions {
  root: string;
  tenant: string;
  apiKey: string;
  /** events/s offered, in batches of `batch` */
  rate: number;
  batch: number;
  instances?: number;
  /** Extra service settings (e.g. KAFKA_SESSION_TIMEOUT_MS). */
  env?: Record<string, string>;
}

export interface Outcome {
  /** "signalId measurements": a double-counted event changes a measurement, not necessarily an id */
  signals: Set<string>;
  /** alertId -> "r<revision> score <score> <severity>" of its final revision */
  alerts: Map<string, string>;
  /** the final revision of each alert, as published */
  finalAlerts: { alertId: string; subject: { id: string }; signals: { ruleId: string }[] }[];
  /** the same (alertId, revision) published more than once (at-least-once delivery) */
  repeatedRevisions: number;
  familyIds: Set<string>;
  /** Messages the services' publishers sent again because no broker acknowledged their partition. */
  resentUnacknowledged: number;
  /** Each published signal by id, to explain a difference (rule, subject, triggering event, values). */
  signalsById: Map<string, PublishedSignal>;
  /** Events the surviving consumers released out of event-time order, and redelivered ones (after a crash). */
  lateEvents: number;
  /** Of the late events, those beyond the allowed lateness: only order-independent state applied, never evaluated. */
  beyondLatenessEvents: number;
  /** Velocity's rule signals suppressed because the rule had already fired for the subject in that window bucket. */
  suppressedByClaim: number;
  duplicateEvents: number;
  /** Records on the dead-letter topic: "<topic>/<partition>/<offset> <reason>" (every simulated event is valid). */
  deadLetters: string[];
}

interface PublishedSignal {
  signalId: string;
  ruleId: string;
  subject: { type: string; id: string };
  measurements: { name: string; value: number }[];
  triggeringEvents: { eventId: string; occurredAt: string }[];
}

const describeSignal = (x: PublishedSignal) =>
  `${x.signalId} ${x.ruleId} ${x.subject.type}:${x.subject.id} by ${x.triggeringEvents.map((e) => `${e.eventId}@${e.occurredAt}`).join(',')} ${x.measurements.map((m) => `${m.name}=${m.value}`).join(',')}`;

async function waitExit(service: RunningService): Promise<void> {
  const p = service.process;
  await new Promise((resolve) =>
    p.exitCode !== null || p.signalCode !== null ? resolve(null) : p.once('exit', resolve),
  );
}

/** kill -9 of the `nth` instance of a service; started again after `downMs` unless `downMs` is undefined. */
export async function crash(run: Run, name: ServiceName, downMs: number | undefined, nth = 0): Promise<void> {
  const i = run.services.map((s, index) => [s, index] as const).filter(([s]) => s.name === name)[nth][1];
  const old = run.services[i];
  old.process.kill('SIGKILL');
  await waitExit(old);
  if (downMs === undefined) return;
  await sleep(downMs);
  const fresh = startOne(name, Number(new URL(old.url).port), {
    root: run.root,
    env: run.env,
    logDir: run.logDir,
    healthTimeoutMs: 90_000,
  });
  run.services[i] = fresh;
  await waitHealthy(fresh, Date.now() + 90_000);
}

/** Posts every batch (round robin over the ingestion instances) until one accepts it; records every status. */
async function send(
  run: Run,
  events: SimulatedEvent[],
  faults: Fault[],
  options: ScenarioOptions,
): Promise<void> {
  const pending = [...faults];
  let next = 0;
  const ingestionUrl = () => {
    const all = run.services.filter((s) => s.name === 'ingestion');
    return all[next++ % all.length].url;
  };
  const started = Date.now();
  const injected: Promise<void>[] = [];
  const faultErrors: Error[] = [];
  for (let from = 0; from < events.length; from += options.batch) {
    const batch = events.slice(from, from + options.batch);
    const index = from / options.batch;
    for (const e of batch) run.batchOf.set(e.id, index);
    const attempts: string[] = [];
    run.attempts.set(index, attempts);
    while (pending.length && from / events.length >= pending[0].at) {
      const fault = pending.shift()!;
      console.log(`   fault at ${Math.round((100 * from) / events.length)} %: ${fault.name}`);
      // injected concurrently with the traffic, as a real failure would be
      // (its failure is recorded here and thrown once the traffic is sent: never left unhandled)
      injected.push(
        fault.inject(run).catch((error: Error) => {
          faultErrors.push(new Error(`fault "${fault.name}" failed: ${error.message}`));
        }),
      );
    }
    for (let attempt = 0; ; attempt++) {
      if (attempt > 600) throw new Error(`batch at ${from} not accepted after 600 attempts`);
      const url = ingestionUrl();
      try {
        const response = await fetch(`${url}/v1/events/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
          body: JSON.stringify({ events: batch }),
          signal: AbortSignal.timeout(30_000),
        });
        run.statuses.set(response.status, (run.statuses.get(response.status) ?? 0) + 1);
        attempts.push(
          `${new URL(url).port}:${response.status}@${Math.round((Date.now() - started) / 100) / 10}s`,
        );
        const body = (await response.json()) as { results?: { id?: string; status: string }[] };
        if (response.status === 202) {
          for (const r of body.results ?? []) {
            if (r.id) run.statusOf.set(r.id, r.status);
            if (r.id && (r.status === 'accepted' || r.status === 'duplicate')) run.accepted.add(r.id);
          }
          break;
        }
        if (response.status !== 503 && response.status !== 429 && response.status < 500)
          throw new Error(`HTTP ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      } catch (error) {
        if ((error as Error).message.startsWith('HTTP ')) throw error;
        attempts.push(
          `${new URL(url).port}:${(error as Error).name}@${Math.round((Date.now() - started) / 100) / 10}s`,
        );
        run.networkErrors++;
      }
      await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
    }
    const due = started + ((from + batch.length) / options.rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  while (pending.length) injected.push(pending.shift()!.inject(run));
  await Promise.all(injected);
  if (faultErrors.length > 0) throw faultErrors[0];
}

/** Every message of a topic, from the beginning to the end offsets at the time of the call. */
async function readTopic(brokers: string, topic: string): Promise<string[]> {
  const kafka = new Kafka({
    clientId: 'scenario-reader',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const total = [...remaining.values()].reduce((a, b) => a + b, 0);
  const out: string[] = [];
  if (total === 0) return out;
  const consumer = kafka.consumer({
    groupId: `scenario-reader-${process.pid}-${Math.random().toString(36).slice(2)}`,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen}/${total} of ${topic}`)), 120_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (Number(message.offset) < (remaining.get(partition) ?? 0)) {
          // Watermark records (family topics) carry no event: counted as read, not returned.
          if (message.headers?.[WATERMARK_HEADER] === undefined) out.push(message.value?.toString() ?? '');
          seen++;
        }
        if (seen >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return out;
}

async function outcome(brokers: string, prefix: string): Promise<Outcome> {
  const t = topicNames(prefix);
  const signalsById = new Map<string, PublishedSignal>();
  const signals = new Set(
    (await readTopic(brokers, t.signals)).map((m) => {
      const s = JSON.parse(m) as PublishedSignal;
      signalsById.set(s.signalId, s);
      return `${s.signalId} ${s.measurements.map((x) => `${x.name}=${x.value}`).join(',')}`;
    }),
  );
  type Published = Outcome['finalAlerts'][number] & { revision: number; score: number; severity: string };
  const alerts = new Map<string, Published>();
  const revisions = new Set<string>();
  let repeatedRevisions = 0;
  for (const m of await readTopic(brokers, t.alerts)) {
    const a = JSON.parse(m) as Published;
    const revision = `${a.alertId}#${a.revision}`;
    if (revisions.has(revision)) repeatedRevisions++;
    revisions.add(revision);
    if ((alerts.get(a.alertId)?.revision ?? 0) < a.revision) alerts.set(a.alertId, a);
  }
  const familyIds = new Set<string>();
  for (const topic of Object.values(t.events))
    for (const m of await readTopic(brokers, topic)) familyIds.add((JSON.parse(m) as { id: string }).id);
  return {
    signals,
    alerts: new Map([...alerts].map(([id, a]) => [id, `r${a.revision} score ${a.score} ${a.severity}`])),
    finalAlerts: [...alerts.values()],
    repeatedRevisions,
    familyIds,
    resentUnacknowledged: 0,
    signalsById,
    lateEvents: 0,
    beyondLatenessEvents: 0,
    suppressedByClaim: 0,
    duplicateEvents: 0,
    deadLetters: (await readTopic(brokers, t.deadLetter)).map(describeDeadLetter),
  };
}

function describeDeadLetter(raw: string): string {
  const d = JSON.parse(raw) as { source?: { topic?: string; partition?: number; offset?: string }; reason?: string };
  return `${d.source?.topic}/${d.source?.partition}/${d.source?.offset}: ${d.reason}`;
}

/** Sum of a counter over the services still running. */
async function metricSum(services: RunningService[], name: string, labels = ''): Promise<number> {
  let total = 0;
  for (const service of services) {
    if (service.process.exitCode !== null || service.process.signalCode !== null) continue;
    const text = await (await fetch(`${service.url}/metrics`)).text().catch(() => '');
    for (const line of text.split('\n'))
      if (line.startsWith(name) && line.includes(labels)) total += Number(line.split(' ').pop()) || 0;
  }
  return total;
}

/** Launches the services on `stack` under a prefix of their own, sends the events with the faults, waits until drained. */
export async function runScenario(
  name: string,
  stack: Stack,
  events: SimulatedEvent[],
  faults: Fault[],
  options: ScenarioOptions,
): Promise<{ run: Run; result: Outcome }> {
  const prefix = `${name}-${process.pid}`;
  const env = {
    KAFKA_BROKERS: stack.brokers,
    REDIS_URL: stack.redisUrl,
    REDIS_CLUSTER: String(stack.redisCluster),
    VIGIL_TOPIC_PREFIX: prefix,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    INGESTION_API_KEYS: `${options.tenant}:${options.apiKey}`,
    INGESTION_RATE_LIMIT: '100000000',
    ALERTING_DASHBOARD_TOKEN: 'scenario-token',
    ...options.env,
  };
  const instances = options.instances ?? 1;
  console.log(`== ${name}: launching ${instances} instance(s) of each service (prefix ${prefix})`);
  const logDir = mkdtempSync(join(tmpdir(), `${prefix}-logs-`));
  serviceLogDirs.push(logDir);
  const services = await launchServices({ root: options.root, env, healthTimeoutMs: 120_000, instances, logDir });
  const run: Run = {
    root: options.root,
    prefix,
    stack,
    services,
    env,
    logDir,
    statuses: new Map(),
    networkErrors: 0,
    accepted: new Set(),
    batchOf: new Map(),
    attempts: new Map(),
    statusOf: new Map(),
  };
  const onExit = () => killServicesNow(run.services);
  process.on('exit', onExit);
  try {
    await send(run, events, faults, options);
    console.log(`   sent ${events.length} events; waiting for every consumer group to drain`);
    await waitDrained(stack.brokers.split(','), prefix, 600_000);
    await sleep(3000); // the alert publish after the last signal
    await waitDrained(stack.brokers.split(','), prefix, 600_000);
    const result = await outcome(stack.brokers, prefix);
    result.resentUnacknowledged = await metricSum(run.services, 'vigil_kafka_unacknowledged_messages_total');
    result.lateEvents = await metricSum(run.services, 'vigil_stream_late_events_total');
    result.beyondLatenessEvents = await metricSum(run.services, 'vigil_stream_late_events_total', 'beyond_lateness="true"');
    result.suppressedByClaim = await metricSum(run.services, 'vigil_velocity_signals_total', 'outcome="deduplicated"');
    result.duplicateEvents = await metricSum(run.services, 'vigil_counters_duplicate_events_total');
    return { run, result };
  } finally {
    await stopServices(run.services);
    process.off('exit', onExit);
  }
}

export function difference<T>(a: Set<T>, b: Set<T>): T[] {
  return [...a].filter((x) => !b.has(x));
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The checks every compared run must pass against its reference run of the same events. */
export function compareRuns(
  events: SimulatedEvent[],
  reference: { run: Run; result: Outcome },
  other: { run: Run; result: Outcome },
  labels: [string, string],
): { checks: Check[]; differences: string[] } {
  const ids = new Set(events.map((e) => e.id));
  const lost = difference(other.run.accepted, other.result.familyIds);
  const onlyRef = difference(reference.result.signals, other.result.signals);
  const onlyOther = difference(other.result.signals, reference.result.signals);
  const alertDiffs = [...new Set([...reference.result.alerts.keys(), ...other.result.alerts.keys()])].filter(
    (id) => reference.result.alerts.get(id) !== other.result.alerts.get(id),
  );
  const bad5xx = [...other.run.statuses]
    .filter(([s]) => s >= 500 && s !== 503)
    .reduce((n, [, c]) => n + c, 0);
  const [a, b] = labels;
  return {
    checks: [
      {
        name: 'every event accepted in both runs',
        ok: reference.run.accepted.size === ids.size && other.run.accepted.size === ids.size,
        detail: `${reference.run.accepted.size} / ${other.run.accepted.size} of ${ids.size}`,
      },
      {
        name: 'nothing accepted lost (every accepted id on its family topic)',
        ok: lost.length === 0,
        detail: `${lost.length} lost; ${other.result.resentUnacknowledged} message(s) sent again because no broker had acknowledged their partition`,
      },
      {
        name: 'the same signals (ids and measured values)',
        ok: onlyRef.length + onlyOther.length === 0,
        detail:
          `${reference.result.signals.size} ${a}, ${other.result.signals.size} ${b}; ${onlyRef.length} only ${a}, ${onlyOther.length} only ${b}; ` +
          `late events ${reference.result.lateEvents} / ${other.result.lateEvents} (beyond the allowed lateness, not evaluated: ${reference.result.beyondLatenessEvents} / ${other.result.beyondLatenessEvents}), rule signals suppressed by an earlier claim ${reference.result.suppressedByClaim} / ${other.result.suppressedByClaim}, redelivered counter updates ${reference.result.duplicateEvents} / ${other.result.duplicateEvents} (surviving processes)`,
      },
      {
        name: 'the same final alerts (id, revision, score, severity): no alert missing, none extra',
        ok: alertDiffs.length === 0,
        detail: `${reference.result.alerts.size} / ${other.result.alerts.size} alerts, ${alertDiffs.length} differ; ${other.result.repeatedRevisions} revision(s) delivered twice (consumers dedupe by alert id and revision)`,
      },
      {
        name: 'nothing dead-lettered (every event is valid; an outage is retried, never dead-lettered)',
        ok: reference.result.deadLetters.length + other.result.deadLetters.length === 0,
        detail: `${reference.result.deadLetters.length} / ${other.result.deadLetters.length} record(s) on the dead-letter topic`,
      },
      {
        name: 'no 5xx other than 503 from ingestion',
        ok: bad5xx === 0,
        detail: `statuses ${JSON.stringify(Object.fromEntries(other.run.statuses))}, ${other.run.networkErrors} connection errors retried`,
      },
    ],
    differences: [
      ...lost.slice(0, 10).map((id) => {
        const e = events.find((x) => x.id === id)!;
        const b = other.run.batchOf.get(id)!;
        return `- lost in batch ${b}: ${id} (${e.type}, answered ${other.run.statusOf.get(id)}): attempts ${other.run.attempts.get(b)?.join(' ')}`;
      }),
      ...(lost.length
        ? [
            `- batches with lost events: ${[...new Set(lost.map((id) => other.run.batchOf.get(id)))]
              .sort((x, y) => x! - y!)
              .map((b) => `${b} (${lost.filter((id) => other.run.batchOf.get(id) === b).length})`)
              .join(', ')}`,
          ]
        : []),
      ...reference.result.deadLetters.slice(0, 10).map((d) => `- dead-lettered (${a}): ${d}`),
      ...other.result.deadLetters.slice(0, 10).map((d) => `- dead-lettered (${b}): ${d}`),
      ...onlyRef.slice(0, 10).map((s) => `- signal only ${a}: ${s}`),
      ...onlyOther.slice(0, 10).map((s) => `- signal only ${b}: ${s}`),
      // What each side published for the same rule and subject: which event triggered it, with what values.
      ...[...onlyRef, ...onlyOther].slice(0, 10).flatMap((entry) => {
        const id = entry.split(' ')[0];
        const known = reference.result.signalsById.get(id) ?? other.result.signalsById.get(id);
        if (!known) return [];
        const same = (x: PublishedSignal) => x.ruleId === known.ruleId && x.subject.id === known.subject.id;
        return [
          `  - ${known.ruleId} on ${known.subject.type}:${known.subject.id}, ${a}: ${[...reference.result.signalsById.values()].filter(same).map(describeSignal).join('; ') || 'none'}`,
          `  - ${known.ruleId} on ${known.subject.type}:${known.subject.id}, ${b}: ${[...other.result.signalsById.values()].filter(same).map(describeSignal).join('; ') || 'none'}`,
        ];
      }),
      ...alertDiffs
        .slice(0, 10)
        .map(
          (id) =>
            `- alert ${id}: ${reference.result.alerts.get(id) ?? 'absent'} vs ${other.result.alerts.get(id) ?? 'absent'}`,
        ),
    ],
  };
}

/** Writes the suite's Markdown report (its own lines, then the checks and the differences), prints it, exits 1 on any failed check. */
export function finishReport(file: string, lines: string[], checks: Check[], differences: string[]): never {
  const report = [
    ...lines,
    '',
    '| check | result | figures |',
    '|---|---|---|',
    ...checks.map((c) => `| ${c.name} | ${c.ok ? 'pass' : '**FAIL**'} | ${c.detail} |`),
    '',
    ...(differences.length > 0 ? ['Differences (first 10 of each kind):', '', ...differences, ''] : []),
  ].join('\n');
  writeFileSync(file, report);
  console.log(report);
  const passed = checks.every((c) => c.ok);
  if (!passed) printServiceWarnings();
  else for (const dir of serviceLogDirs) rmSync(dir, { recursive: true, force: true });
  process.exit(passed ? 0 : 1);
}

/** Log directories of the runs so far (kept when a check fails: they explain it; removed otherwise). */
const serviceLogDirs: string[] = [];

/**
 * What the services logged at warn level or above (pino levels >= 40), the first lines of each
 * instance; failed health checks while a service starts (its consumers not yet running) are
 * expected and left out, or they would fill the lines shown.
 */
export function printServiceWarnings(linesPerInstance = 25): void {
  for (const dir of serviceLogDirs) {
    console.log(`\nservice logs: ${dir}`);
    for (const file of readdirSync(dir).sort()) {
      const lines = readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((line) => !/^\{"level":(10|20|30),/.test(line) && !line.includes('"msg":"Health Check has failed!') && line.trim() !== '');
      if (lines.length === 0) continue;
      console.log(`-- ${file}: ${lines.length} line(s) at warn or above${lines.length > linesPerInstance ? `, the first ${linesPerInstance}` : ''}`);
      for (const line of lines.slice(0, linesPerInstance)) console.log(`   ${line.slice(0, 600)}`);
    }
  }
}

/** The counters engine's keys of a run (every window, distinct-count and fact of every entity), by key without the run's prefix. */
const COUNTER_KEY = /:(cnt|dd|facts|dst)$/;

/**
 * The counter state a run left in Redis, normalised (prefix stripped, hashes and sorted sets
 * sorted), to compare runs of the same events key by key. Reads every primary of a cluster.
 */
export async function counterState(stack: Stack, prefix: string): Promise<Map<string, string>> {
  const client = createRedisClient({ url: stack.redisUrl, cluster: stack.redisCluster, keyPrefix: '' });
  try {
    if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    const keys: string[] = [];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch.filter((k) => COUNTER_KEY.test(k)));
      } while (cursor !== '0');
    }
    const state = new Map<string, string>();
    for (const key of keys) {
      const type = await client.type(key);
      let value: string;
      if (type === 'hash') value = JSON.stringify(Object.entries(await client.hgetall(key)).sort());
      else if (type === 'zset') value = JSON.stringify(await client.zrange(key, 0, -1, 'WITHSCORES'));
      else value = `${type}:${await client.get(key)}`;
      state.set(key.slice(prefix.length + 1), value);
    }
    return state;
  } finally {
    client.disconnect();
  }
}

/** Keys whose value differs, or that only one run has. */
export function stateDifferences(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}
