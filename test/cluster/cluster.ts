/*
 * Cluster suite (issue 15): the same simulated events (every pattern) through
 *   1. the single-node stack (one broker, one Redis, one instance of each service): the reference;
 *   2. the cluster (three KRaft brokers, topics with replication factor 3 and
 *      min.insync.replicas=2, a six-node Redis Cluster) with two instances of each service;
 *   3. the same cluster and instances with faults injected while the traffic flows: the active
 *      velocity instance killed (not restarted: the standby takes its partitions), one broker
 *      killed and restarted 10 s later, the Redis primary holding the tenant's review state
 *      killed (its replica is promoted; the old primary rejoins as a replica).
 * Checks per cluster run, against the reference: every pattern caught, the same counter state in
 * Redis key by key, the same signals (ids and
 * measured values), the same final alerts, nothing accepted lost, no 5xx but 503.
 * Run by test/cluster/run-cluster.sh (npm run test:cluster), which provides both stacks and the
 * build. Writes test/bench/reports/cluster.md; exits 1 on any difference.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { patternEvidence, PATTERN_NAMES, simulate } from '@vigil/simulator';
import { RunningService } from '../bench/support/services';
import {
  Check,
  compareRuns,
  counterState,
  crash,
  Fault,
  finishReport,
  requiredEnv,
  Outcome,
  printServiceWarnings,
  Run,
  runScenario,
  ScenarioOptions,
  sh,
  sleep,
  Stack,
  stateDifferences,
} from '../faults/scenario';

const ROOT = join(__dirname, '..', '..');
const required = (name: string) => requiredEnv(name, 'test/cluster/run-cluster.sh');
const REFERENCE: Stack = {
  brokers: required('CLUSTER_REF_KAFKA_BROKERS'),
  redisUrl: required('CLUSTER_REF_REDIS_URL'),
  redisCluster: false,
};
const CLUSTER: Stack = {
  brokers: required('CLUSTER_KAFKA_BROKERS'),
  redisUrl: required('CLUSTER_REDIS_URLS'),
  redisCluster: true,
};
const KAFKA_SH = required('CLUSTER_KAFKA_SH'); // deploy/local/kafka.sh with the cluster's environment
const REDIS_SH = required('CLUSTER_REDIS_SH'); // deploy/local/redis-cluster.sh with the cluster's environment
const SESSION_TIMEOUT_MS = 12_000;
const OPTIONS: ScenarioOptions = {
  root: ROOT,
  tenant: 'tenant-sim',
  apiKey: 'cluster-key',
  batch: 100,
  rate: Number(process.env['CLUSTER_RATE'] ?? 400),
  // A standby takes over a dead member's partitions once its session times out (default 30 s).
  env: { KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) },
};

/** Messages consumed so far by a service instance (its /metrics). */
async function consumed(service: RunningService): Promise<number> {
  let text: string;
  try {
    text = await (await fetch(`${service.url}/metrics`)).text();
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    const state =
      service.process.exitCode !== null || service.process.signalCode !== null
        ? `exited (${service.process.exitCode ?? service.process.signalCode})`
        : 'still running';
    throw new Error(
      `GET ${service.url}/metrics of ${service.name} (pid ${service.pid}, ${state}): ${(error as Error).message}${cause ? ` (${cause.message})` : ''}\n${service.output.join('\n')}`,
    );
  }
  return text
    .split('\n')
    .filter((l) => l.startsWith('vigil_kafka_consumer_messages_total'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

const recovery: string[] = [];

const FAULTS: Fault[] = [
  {
    at: 0.25,
    name: 'kill -9 of the active velocity instance (not restarted): the standby takes every partition',
    inject: async (run: Run) => {
      const velocity = run.services.filter((s) => s.name === 'velocity');
      const counts = await Promise.all(velocity.map(consumed));
      const active = counts.indexOf(Math.max(...counts));
      const standby = velocity[1 - active];
      const before = await consumed(standby);
      const killedAt = Date.now();
      await crash(run, 'velocity', undefined, active);
      while ((await consumed(standby)) === before) {
        if (Date.now() - killedAt > 120_000) throw new Error('the standby velocity instance never took over');
        await sleep(250);
      }
      recovery.push(
        `velocity: the standby consumed again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the active instance was killed (the group's session timeout, KAFKA_SESSION_TIMEOUT_MS, is ${SESSION_TIMEOUT_MS / 1000} s)`,
      );
    },
  },
  {
    at: 0.45,
    name: 'broker 2 of 3 killed (SIGKILL), restarted 10 s later',
    inject: async () => {
      await sh(`${KAFKA_SH} stop-node 2 --kill`);
      await sleep(10_000);
      const started = Date.now();
      await sh(`${KAFKA_SH} start`);
      recovery.push(
        `kafka: broker 2 down 10 s, back (ready) ${((Date.now() - started) / 1000).toFixed(1)} s after its restart`,
      );
    },
  },
  {
    at: 0.7,
    name: "the Redis primary holding the tenant's review state killed (SIGKILL); its replica promoted; the old primary restarted 5 s later",
    inject: async (run: Run) => {
      const key = `${run.prefix}:{${OPTIONS.tenant}:review-analysis:state}`;
      const primary = await sh(`${REDIS_SH} primary-of '${key}'`);
      const [promoted, seconds] = (await sh(`${REDIS_SH} fail-primary ${primary}`)).split(' ');
      recovery.push(
        `redis: primary ${primary} killed, replica ${promoted} promoted and the cluster ok after ${seconds} s`,
      );
      await sleep(5000);
      await sh(`${REDIS_SH} restart ${primary} && ${REDIS_SH} wait-ok`);
    },
  },
];

function patternChecks(label: string, result: Outcome, labels: ReturnType<typeof simulate>['labels']): Check {
  const evidence = patternEvidence(labels, result.finalAlerts);
  const missed = PATTERN_NAMES.filter((p) => (evidence.get(p) ?? []).length === 0);
  return {
    name: `every pattern caught (${label})`,
    ok: missed.length === 0,
    detail: missed.length
      ? `missed: ${missed.join(', ')}`
      : `${PATTERN_NAMES.length} of ${PATTERN_NAMES.length}`,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const minutes = Number(process.env['CLUSTER_MINUTES'] ?? 40);
  const { events, labels } = simulate({ seed: 11, minutes, inject: ['all'], tenantId: OPTIONS.tenant });
  console.log(`== ${events.length} events (seed 11, ${minutes} simulated minutes, every pattern)`);
  const timed = async <T>(f: () => Promise<T>) => {
    const t = Date.now();
    const value = await f();
    return { value, seconds: Math.round((Date.now() - t) / 1000) };
  };
  const reference = await timed(() => runScenario('cluster-ref', REFERENCE, events, [], OPTIONS));
  const calm = await timed(() =>
    runScenario('cluster-calm', CLUSTER, events, [], { ...OPTIONS, instances: 2 }),
  );
  const faulty = await timed(() =>
    runScenario('cluster-faults', CLUSTER, events, FAULTS, { ...OPTIONS, instances: 2 }),
  );

  const [refState, calmState, faultyState] = await Promise.all([
    counterState(REFERENCE, reference.value.run.prefix),
    counterState(CLUSTER, calm.value.run.prefix),
    counterState(CLUSTER, faulty.value.run.prefix),
  ]);
  // Trims follow the events, not the script calls, so the state does not depend on chunking.
  const stateCheck = (label: string, state: Map<string, string>): Check => {
    const differing = stateDifferences(refState, state);
    return {
      name: `${label} vs single node: counter state key by key`,
      ok: refState.size > 0 && differing.length === 0,
      detail: `${refState.size} / ${state.size} keys, ${differing.length} differ${differing.length ? ` (${differing.slice(0, 5).join(', ')})` : ''}`,
    };
  };
  const stateFigure = (label: string, state: Map<string, string>): string => {
    const differing = stateDifferences(refState, state);
    return `- ${label} vs single node: ${refState.size} / ${state.size} counter keys, ${differing.length} differ${differing.length ? `; first ${differing[0]}: ${refState.get(differing[0])?.slice(0, 300)} vs ${state.get(differing[0])?.slice(0, 300)}; all: ${differing.slice(0, 20).join(', ')}` : ''}`;
  };
  const calmCompared = compareRuns(events, reference.value, calm.value, ['single node', 'cluster']);
  const faultyCompared = compareRuns(events, reference.value, faulty.value, [
    'single node',
    'cluster with faults',
  ]);
  const checks = [
    patternChecks('single node', reference.value.result, labels),
    patternChecks('cluster', calm.value.result, labels),
    ...calmCompared.checks.map((c) => ({ ...c, name: `cluster vs single node: ${c.name}` })),
    patternChecks('cluster with faults', faulty.value.result, labels),
    ...faultyCompared.checks.map((c) => ({ ...c, name: `cluster with faults vs single node: ${c.name}` })),
    stateCheck('cluster', calmState),
    stateCheck('cluster with faults', faultyState),
  ];
  const differences = [
    ...calmCompared.differences.map((d) => `${d} (cluster)`),
    ...faultyCompared.differences.map((d) => `${d} (cluster with faults)`),
  ];
  finishReport(
    join(ROOT, 'test', 'bench', 'reports', 'cluster.md'),
    [
      '# Cluster suite',
      '',
      `Run ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s: \`npm run test:cluster\`; load average at start ${load} (2 cores, shared).`,
      `${events.length.toLocaleString('en-US')} simulated events (seed 11, ${minutes} minutes of event time, every pattern), in batches of ${OPTIONS.batch} at ${OPTIONS.rate} events/s, round robin over the ingestion instances, three times:`,
      '',
      `1. single node (one Kafka broker, one Redis, one instance of each service): the reference (${reference.seconds} s with start and drain);`,
      `2. the cluster: three KRaft brokers (topics with replication factor 3, min.insync.replicas=2; producers acks=all, idempotent), a Redis Cluster of three primaries and three replicas, two instances of each service (${calm.seconds} s);`,
      `3. the same with faults while the traffic flows (${faulty.seconds} s):`,
      '',
      ...FAULTS.map((f) => `   - at ${Math.round(f.at * 100)} % of the events: ${f.name}`),
      '',
      'Counter state in Redis, key by key (every `:cnt`, `:dd`, `:facts`, `:dst` key of the counters engines, normalised):',
      '',
      stateFigure('cluster', calmState),
      stateFigure('cluster with faults', faultyState),
      '',
      'Recovery:',
      '',
      ...recovery.map((r) => `- ${r}`),
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
