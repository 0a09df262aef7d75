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
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { simulate } from '@vigil/simulator';
import {
  compareRuns,
  crash,
  Fault,
  finishReport,
  printServiceWarnings,
  requiredEnv,
  runScenario,
  ScenarioOptions,
  sh,
  sleep,
  Stack,
} from './scenario';

const ROOT = join(__dirname, '..', '..');
const required = (name: string) => requiredEnv(name, 'test/faults/run-faults.sh');
const STACK: Stack = {
  brokers: required('FAULTS_KAFKA_BROKERS'),
  redisUrl: required('FAULTS_REDIS_URL'),
  redisCluster: false,
};
const REDIS_RESTART = required('FAULTS_REDIS_RESTART'); // a command that starts the Redis again (same data dir)
const REDIS_PID = required('FAULTS_REDIS_PIDFILE');
const KAFKA_STOP = required('FAULTS_KAFKA_STOP');
const KAFKA_START = required('FAULTS_KAFKA_START');
const OPTIONS: ScenarioOptions = {
  root: ROOT,
  tenant: 'tenant-sim',
  apiKey: 'faults-key',
  batch: 100,
  rate: Number(process.env['FAULTS_RATE'] ?? 400),
};

const restart = (name: Parameters<typeof crash>[1]) => (run: Parameters<typeof crash>[0]) =>
  crash(run, name, 1000);

const FAULTS: Fault[] = [
  { at: 0.15, name: 'kill -9 velocity, restarted after 1 s', inject: restart('velocity') },
  { at: 0.3, name: 'kill -9 review-analysis, restarted after 1 s', inject: restart('review-analysis') },
  { at: 0.45, name: 'kill -9 alerting, restarted after 1 s', inject: restart('alerting') },
  {
    at: 0.55,
    name: 'kill -9 ingestion, restarted after 1 s (requests meanwhile fail and are retried)',
    inject: restart('ingestion'),
  },
  {
    at: 0.7,
    name: 'Redis killed (SIGKILL), restarted 10 s later from its append-only file',
    inject: async () => {
      await sh(`kill -9 "$(cat ${REDIS_PID})"`);
      await sleep(10_000);
      await sh(REDIS_RESTART);
    },
  },
  {
    at: 0.85,
    name: 'Kafka broker stopped, restarted 10 s later',
    inject: async () => {
      await sh(KAFKA_STOP);
      await sleep(10_000);
      await sh(KAFKA_START);
    },
  },
];

async function main(): Promise<void> {
  const started = Date.now();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const minutes = Number(process.env['FAULTS_MINUTES'] ?? 40);
  const { events } = simulate({ seed: 11, minutes, inject: ['all'], tenantId: OPTIONS.tenant });
  console.log(`== ${events.length} events (seed 11, ${minutes} simulated minutes, every pattern)`);
  const calm = await runScenario('faults-calm', STACK, events, [], OPTIONS);
  const faulty = await runScenario('faults-faulty', STACK, events, FAULTS, OPTIONS);
  const { checks, differences } = compareRuns(events, calm, faulty, ['undisturbed', 'with faults']);
  finishReport(
    join(ROOT, 'test', 'bench', 'reports', 'faults.md'),
    [
      '# Fault suite',
      '',
      `Run ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s: \`npm run test:faults\`; load average at start ${load} (2 cores, shared).`,
      `${events.length.toLocaleString('en-US')} simulated events (seed 11, ${minutes} minutes of event time, every pattern) sent twice through the four services (separate processes from the build, real Kafka and Redis), in batches of ${OPTIONS.batch} at ${OPTIONS.rate} events/s: once undisturbed, once with these faults injected while the traffic flows:`,
      '',
      ...FAULTS.map((f) => `- at ${Math.round(f.at * 100)} % of the events: ${f.name}`),
    ],
    checks,
    differences,
  );
}

main().catch((error) => {
  console.error(error);
  printServiceWarnings();
  process.exit(1);
});
