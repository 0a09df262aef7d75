/*
 * Fault suite (issue 14): the same simulated events through the four services twice, once
 * undisturbed and once with faults injected mid-stream, and the outcomes compared.
 *   Faults: kill -9 of velocity, review-analysis, alerting and ingestion (each restarted), Redis
 *   killed and restarted 10 s later (from its append-only file, as a deployed Redis would be),
 *   the Kafka broker stopped for 10 s and restarted.
 *   Checks: the same signals (ids and measured values) and the same final alerts (id, revision, score, severity) in
 *   both runs; every event ingestion accepted reached its family topic (nothing accepted lost);
 *   ingestion never answered a 5xx other than 503.
 * Run by test/faults/run-faults.sh (npm run test:faults), which provides Kafka, the Redis with an
 * append-only file and the build. Writes test/bench/reports/faults.md; exits 1 on any difference.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { topicNames } from '@vigil/contracts';
import { simulate, SimulatedEvent } from '@vigil/simulator';
import { waitDrained } from '../bench/redis-state';
import { killServicesNow, launchServices, RunningService, ServiceName, startOne, stopServices, waitHealthy } from '../bench/support/services';

const ROOT = join(__dirname, '..', '..');
const BROKERS = required('FAULTS_KAFKA_BROKERS');
const REDIS_URL = required('FAULTS_REDIS_URL');
const REDIS_RESTART = required('FAULTS_REDIS_RESTART'); // a command that starts the Redis again (same data dir)
const REDIS_PID = required('FAULTS_REDIS_PIDFILE');
const KAFKA_STOP = required('FAULTS_KAFKA_STOP');
const KAFKA_START = required('FAULTS_KAFKA_START');
const TENANT = 'tenant-sim';
const KEY = 'faults-key';
const BATCH = 100;
const RATE = Number(process.env['FAULTS_RATE'] ?? 400); // events/s offered
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run test/faults/run-faults.sh`);
  return v;
}

type Fault = { at: number; name: string; inject: (run: Run) => Promise<void> };

interface Run {
  prefix: string;
  services: RunningService[];
  env: Record<string, string>;
  statuses: Map<number, number>;
  networkErrors: number;
  accepted: Set<string>;
}

const sh = (command: string) => execFileSync('bash', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });

async function restart(run: Run, name: ServiceName, downMs = 1000): Promise<void> {
  const i = run.services.findIndex((s) => s.name === name);
  const old = run.services[i];
  old.process.kill('SIGKILL');
  await new Promise((resolve) => (old.process.exitCode !== null || old.process.signalCode !== null ? resolve(null) : old.process.once('exit', resolve)));
  await sleep(downMs);
  const port = Number(new URL(old.url).port);
  const fresh = startOne(name, port, { root: ROOT, env: run.env, healthTimeoutMs: 90_000 });
  run.services[i] = fresh;
  await waitHealthy(fresh, Date.now() + 90_000);
}

const FAULTS: Fault[] = [
  { at: 0.15, name: 'kill -9 velocity, restarted after 1 s', inject: (run) => restart(run, 'velocity') },
  { at: 0.3, name: 'kill -9 review-analysis, restarted after 1 s', inject: (run) => restart(run, 'review-analysis') },
  { at: 0.45, name: 'kill -9 alerting, restarted after 1 s', inject: (run) => restart(run, 'alerting') },
  { at: 0.55, name: 'kill -9 ingestion, restarted after 1 s (requests meanwhile fail and are retried)', inject: (run) => restart(run, 'ingestion') },
  {
    at: 0.7,
    name: 'Redis killed (SIGKILL), restarted 10 s later from its append-only file',
    inject: async () => {
      sh(`kill -9 "$(cat ${REDIS_PID})"`);
      await sleep(10_000);
      sh(REDIS_RESTART);
    },
  },
  {
    at: 0.85,
    name: 'Kafka broker stopped, restarted 10 s later',
    inject: async () => {
      sh(KAFKA_STOP);
      await sleep(10_000);
      sh(KAFKA_START);
    },
  },
];

/** Posts every batch until ingestion accepts it; records every status (5xx other than 503 is a failure of the suite). */
async function send(run: Run, events: SimulatedEvent[], faults: Fault[]): Promise<void> {
  const pending = [...faults];
  const ingestionUrl = () => run.services.find((s) => s.name === 'ingestion')!.url;
  const started = Date.now();
  for (let from = 0; from < events.length; from += BATCH) {
    const batch = events.slice(from, from + BATCH);
    while (pending.length && from / events.length >= pending[0].at) {
      const fault = pending.shift()!;
      console.log(`   fault at ${Math.round((100 * from) / events.length)} %: ${fault.name}`);
      // injected concurrently with the traffic, as a real failure would be
      void fault.inject(run).catch((error) => console.error(`   fault "${fault.name}" failed: ${(error as Error).message}`));
    }
    for (let attempt = 0; ; attempt++) {
      if (attempt > 600) throw new Error(`batch at ${from} not accepted after 600 attempts`);
      try {
        const response = await fetch(`${ingestionUrl()}/v1/events/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEY },
          body: JSON.stringify({ events: batch }),
          signal: AbortSignal.timeout(30_000),
        });
        run.statuses.set(response.status, (run.statuses.get(response.status) ?? 0) + 1);
        const body = (await response.json()) as { results?: { id?: string; status: string }[] };
        if (response.status === 202) {
          for (const r of body.results ?? []) if (r.id && (r.status === 'accepted' || r.status === 'duplicate')) run.accepted.add(r.id);
          break;
        }
        if (response.status !== 503 && response.status !== 429 && response.status < 500) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      } catch (error) {
        if ((error as Error).message.startsWith('HTTP ')) throw error;
        run.networkErrors++;
      }
      await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
    }
    const due = started + ((from + batch.length) / RATE) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  while (pending.length) await pending.shift()!.inject(run);
}

/** Every message of a topic, from the beginning to the end offsets at the time of the call. */
async function readTopic(topic: string): Promise<{ value: string }[]> {
  const kafka = new Kafka({ clientId: 'faults-reader', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const total = [...remaining.values()].reduce((a, b) => a + b, 0);
  const out: { value: string }[] = [];
  if (total === 0) return out;
  const consumer = kafka.consumer({ groupId: `faults-reader-${process.pid}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen}/${total} of ${topic}`)), 120_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (Number(message.offset) < (remaining.get(partition) ?? 0)) {
          out.push({ value: message.value?.toString() ?? '' });
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

interface Outcome {
  signals: Set<string>;
  alerts: Map<string, string>;
  familyIds: Set<string>;
}

async function outcome(prefix: string): Promise<Outcome> {
  const t = topicNames(prefix);
  // id and measured values: a double-counted event would change a measurement, not necessarily an id
  const signals = new Set(
    (await readTopic(t.signals)).map((m) => {
      const s = JSON.parse(m.value) as { signalId: string; measurements: { name: string; value: number }[] };
      return `${s.signalId} ${s.measurements.map((x) => `${x.name}=${x.value}`).join(',')}`;
    }),
  );
  const alerts = new Map<string, { revision: number; text: string }>();
  for (const m of await readTopic(t.alerts)) {
    const a = JSON.parse(m.value) as { alertId: string; revision: number; score: number; severity: string; status: string };
    if ((alerts.get(a.alertId)?.revision ?? 0) < a.revision) alerts.set(a.alertId, { revision: a.revision, text: `r${a.revision} score ${a.score} ${a.severity}` });
  }
  const familyIds = new Set<string>();
  for (const topic of Object.values(t.events)) for (const m of await readTopic(topic)) familyIds.add((JSON.parse(m.value) as { id: string }).id);
  return { signals, alerts: new Map([...alerts].map(([id, a]) => [id, a.text])), familyIds };
}

async function scenario(name: string, events: SimulatedEvent[], faults: Fault[]): Promise<{ run: Run; result: Outcome }> {
  const prefix = `faults-${name}-${process.pid}`;
  const env = {
    KAFKA_BROKERS: BROKERS,
    REDIS_URL,
    VIGIL_TOPIC_PREFIX: prefix,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    INGESTION_API_KEYS: `${TENANT}:${KEY}`,
    INGESTION_RATE_LIMIT: '100000000',
    ALERTING_DASHBOARD_TOKEN: 'faults-token',
  };
  console.log(`== ${name}: launching the four services (prefix ${prefix})`);
  const services = await launchServices({ root: ROOT, env, healthTimeoutMs: 120_000 });
  const run: Run = { prefix, services, env, statuses: new Map(), networkErrors: 0, accepted: new Set() };
  const onExit = () => killServicesNow(run.services);
  process.on('exit', onExit);
  try {
    await send(run, events, faults);
    console.log(`   sent ${events.length} events; waiting for every consumer group to drain`);
    await waitDrained(BROKERS.split(','), prefix, 600_000);
    await sleep(3000); // the alert publish after the last signal
    await waitDrained(BROKERS.split(','), prefix, 600_000);
    return { run, result: await outcome(prefix) };
  } finally {
    await stopServices(run.services);
    process.off('exit', onExit);
  }
}

function difference<T>(a: Set<T>, b: Set<T>): T[] {
  return [...a].filter((x) => !b.has(x));
}

async function main(): Promise<void> {
  const started = Date.now();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const minutes = Number(process.env['FAULTS_MINUTES'] ?? 40);
  const { events } = simulate({ seed: 11, minutes, inject: ['all'], tenantId: TENANT });
  console.log(`== ${events.length} events (seed 11, ${minutes} simulated minutes, every pattern)`);
  const calm = await scenario('calm', events, []);
  const faulty = await scenario('faulty', events, FAULTS);

  const ids = new Set(events.map((e) => e.id));
  const lost = difference(faulty.run.accepted, faulty.result.familyIds);
  const signalsOnlyCalm = difference(calm.result.signals, faulty.result.signals);
  const signalsOnlyFaulty = difference(faulty.result.signals, calm.result.signals);
  const alertDiffs = [...new Set([...calm.result.alerts.keys(), ...faulty.result.alerts.keys()])].filter(
    (id) => calm.result.alerts.get(id) !== faulty.result.alerts.get(id),
  );
  const bad5xx = [...faulty.run.statuses].filter(([s]) => s >= 500 && s !== 503).reduce((n, [, c]) => n + c, 0);
  const checks = [
    { name: 'every event accepted in both runs', ok: calm.run.accepted.size === ids.size && faulty.run.accepted.size === ids.size, detail: `${calm.run.accepted.size} / ${faulty.run.accepted.size} of ${ids.size}` },
    { name: 'nothing accepted lost (every accepted id on its family topic)', ok: lost.length === 0, detail: `${lost.length} lost` },
    { name: 'the same signals (ids and measured values)', ok: signalsOnlyCalm.length + signalsOnlyFaulty.length === 0, detail: `${calm.result.signals.size} undisturbed, ${faulty.result.signals.size} with faults; ${signalsOnlyCalm.length} only undisturbed, ${signalsOnlyFaulty.length} only with faults` },
    { name: 'the same final alerts (id, revision, score, severity)', ok: alertDiffs.length === 0, detail: `${calm.result.alerts.size} / ${faulty.result.alerts.size} alerts, ${alertDiffs.length} differ` },
    { name: 'no 5xx other than 503 from ingestion', ok: bad5xx === 0, detail: `statuses ${JSON.stringify(Object.fromEntries(faulty.run.statuses))}, ${faulty.run.networkErrors} connection errors (ingestion down) retried` },
  ];
  const report = [
    '# Fault suite',
    '',
    `Run ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s: \`npm run test:faults\`; load average at start ${load} (2 cores, shared).`,
    `${events.length.toLocaleString('en-US')} simulated events (seed 11, ${minutes} minutes of event time, every pattern) sent twice through the four services (separate processes from the build, real Kafka and Redis), in batches of ${BATCH} at ${RATE} events/s: once undisturbed, once with these faults injected while the traffic flows:`,
    '',
    ...FAULTS.map((f) => `- at ${Math.round(f.at * 100)} % of the events: ${f.name}`),
    '',
    '| check | result | figures |',
    '|---|---|---|',
    ...checks.map((c) => `| ${c.name} | ${c.ok ? 'pass' : '**FAIL**'} | ${c.detail} |`),
    '',
    ...(signalsOnlyCalm.length + signalsOnlyFaulty.length + alertDiffs.length > 0
      ? ['Differences (first 10):', '', ...signalsOnlyCalm.slice(0, 10).map((s) => `- signal only undisturbed: ${s}`), ...signalsOnlyFaulty.slice(0, 10).map((s) => `- signal only with faults: ${s}`), ...alertDiffs.slice(0, 10).map((id) => `- alert ${id}: ${calm.result.alerts.get(id) ?? 'absent'} vs ${faulty.result.alerts.get(id) ?? 'absent'}`), '']
      : []),
  ].join('\n');
  writeFileSync(join(ROOT, 'test', 'bench', 'reports', 'faults.md'), report);
  console.log(report);
  process.exit(checks.every((c) => c.ok) ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
