/**
 * Full-pipeline benchmark (issues 8 and 13): the four services as separate processes, driven at increasing
 * rates through the ingestion HTTP API; throughput, end-to-end alert latency, CPU/RSS, Redis round
 * trips per event, sustained rate, the bare-Kafka ceiling and the hops floor. Writes reports/pipeline.{md,svg}.
 * Run: npm run bench   (or bash test/bench/run-pipeline-bench.sh)
 * Settings: BENCH_RATES and BENCH_INTAKE_RATES (the steps per door, comma-separated; empty: none),
 * BENCH_STEP_SECONDS, BENCH_DRAIN_LIMIT_SECONDS, BENCH_PROFILE=0 (no profile phase),
 * BENCH_PROFILE_RATE, BENCH_CEILING_MESSAGES; for experiments BENCH_NODE_ARGS (node flags for
 * every service, e.g. "--max-semi-space-size=32") and BENCH_LOG_DIR (keep each service's log there).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { topicNames } from '@vigil/contracts';
import { measureCeiling } from './support/ceiling';
import { measureHopsFloor } from './support/hops-floor';
import { summariseCpuProfile } from './support/cpu-profile';
import { totalLag } from './support/lag';
import { BatchSender, Door, driveStep, httpSender, intakeSender } from './support/load';
import { MarkerCollector } from './support/marker-collector';
import { histogramDelta, scrapeCounters, ServiceCounters } from './support/metrics';
import { pidListeningOn, ProcessSampler } from './support/proc-stats';
import { percentile, ProfileSummary, renderMarkdown, renderSvg, StepResult, Target } from './support/report';
import { killServicesNow, launchServices, RunningService, SERVICE_NAMES, stopServices } from './support/services';
import { TrafficSource } from './support/traffic';
import { measureState, StateSummary } from './redis-state';
import { CommandCost, commandCosts, readCommandStats } from './support/redis-commands';

const ROOT = join(__dirname, '..', '..');
const REPORTS = join(__dirname, 'reports');
const STEP_MS = Number(process.env.BENCH_STEP_SECONDS ?? 10) * 1000;
/** A step "kept up" when all consumer lag is gone within this long after its last request. */
const KEEP_UP_MS = 5000;
/** How long to wait for a step to drain before moving on regardless. */
const DRAIN_LIMIT_MS = Number(process.env.BENCH_DRAIN_LIMIT_SECONDS ?? 20) * 1000;
const ALERT_GRACE_MS = 3000;
const PROFILE = process.env.BENCH_PROFILE !== '0';
/** Events per HTTP batch below 5,000 ev/s. */
const HTTP_BATCH_AT_1K = 100;
/** The profile phase's HTTP rate: high enough to be busy, below saturation. */
const PROFILE_RATE = Number(process.env.BENCH_PROFILE_RATE ?? 1000);
const TENANT = 'tenant-bench';
const API_KEY = 'bench-key';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run test/bench/run-pipeline-bench.sh (it starts the test stack)`);
  return value;
}

function machine(): Record<string, string> {
  const sh = (cmd: string) => {
    try {
      return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const kafkaJar = sh(`ls ${ROOT}/deploy/local 2>/dev/null; find / -maxdepth 6 -name 'kafka_*.jar' 2>/dev/null | grep -v -- '-sources' | head -1`);
  return {
    nproc: sh('nproc'),
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    cpu: model,
    node: process.version,
    kafka: /kafka_[\d.]+-([\d.]+)\.jar/.exec(kafkaJar)?.[1] ?? 'see deploy/local/kafka.sh',
    'load average at start': sh('cut -d" " -f1-3 /proc/loadavg'),
  };
}

async function counters(services: readonly RunningService[]): Promise<Record<string, ServiceCounters>> {
  const entries = await Promise.all(services.map(async (s) => [s.name, await scrapeCounters(s.url)] as const));
  return Object.fromEntries(entries);
}

/** Milliseconds of CPU per processed event of a step, from a CPU share in % of one core. */
const cpuMsPerEvent = (cpuPercent: number, s: StepResult) => (cpuPercent * 10) / Math.max(1, s.processedPerSec);

/** Where the time goes, from the figures of this run (the report's Analysis section). */
function analysis(
  steps: readonly StepResult[],
  targets: readonly Target[],
  ceilingPerSec: number,
  floorPerSec: number,
  load: string,
  profiles: readonly ProfileSummary[],
): string[] {
  const notes: string[] = [];
  const highest = steps[steps.length - 1];
  if (!highest) return notes;
  const missed = targets.filter((t) => !t.met).map((t) => t.name);
  notes.push(`- Missed: ${missed.length ? missed.join('; ') : 'none'}.`);
  const best = Math.max(...steps.map((s) => s.processedPerSec));
  notes.push(`- Best processed rate of any step: ${Math.round(best)} ev/s = ${(best / ceilingPerSec).toFixed(2)} x the bare-Kafka ceiling of this run.`);
  const clientBound = steps.filter((s) => s.offeredPerSec < 0.9 * s.rate);
  if (clientBound.length) {
    notes.push(
      `- The load generator itself fell short of the target at ${clientBound.map((s) => `${s.door} ${s.rate}/s (offered ${Math.round(s.offeredPerSec)})`).join(', ')}: ` +
        'the door answered slower than the pacing needs with 4 batches in flight, i.e. the door itself (ingestion\'s HTTP handler or the produce path) is already a limit there.',
    );
  }
  const cores = cpus().length;
  for (const s of steps) {
    const services = Object.values(s.usage).reduce((sum, u) => sum + u.cpuPercentAvg, 0) / cores;
    const rest = Math.max(0, s.machineBusyPercent - services);
    const machineMs = s.processedPerSec > 0 ? cpuMsPerEvent(s.machineBusyPercent * cores, s) : 0;
    const busiest = Object.entries(s.usage).sort((a, b) => b[1].cpuPercentAvg - a[1].cpuPercentAvg)[0];
    notes.push(
      `- ${s.door} ${s.rate}/s: ${s.sustained ? 'kept up' : s.drainMs === undefined ? 'lag not drained within the limit' : `did not keep up (drained ${(s.drainMs / 1000).toFixed(1)} s after the step)`}; ` +
        `machine ${Math.round(s.machineBusyPercent)} % busy (both cores): the four services ${Math.round(services)} %, the broker, Redis and the load generator ${Math.round(rest)} %; ` +
        `${machineMs.toFixed(2)} ms of CPU per processed event over the whole machine; busiest service ${busiest[0]} at ${Math.round(busiest[1].cpuPercentAvg)} % of one core.`,
    );
  }
  const saturated = steps.find((s) => s.machineBusyPercent >= 85);
  if (saturated) {
    // The cheapest step (largest batches) is the fairest cost per event.
    const perEvent = Math.min(...steps.map((s) => cpuMsPerEvent(s.machineBusyPercent * cores, s)));
    notes.push(
      `- From ${saturated.rate}/s on the machine itself is the limit (${Math.round(saturated.machineBusyPercent)} % busy): no service is at 100 % of a core, ` +
        `they queue for the two cores they share with Kafka, Redis and the load generator. Latency then is queueing (lag), not processing. ` +
        `At the cheapest step's ${perEvent.toFixed(2)} ms of CPU per event, 10,000 ev/s would need ${((perEvent * 10_000) / 1000).toFixed(1)} cores; on 2 cores the whole pipeline must cost <= 0.2 ms per event.`,
    );
  }
  // Bounds that hold whatever else gets cheaper: velocity is one process (one active member, for
  // the event-time order) and Redis runs every script on one thread: neither can use more than a core.
  const overloaded = steps.filter((s) => !s.sustained && s.processedPerSec > 0);
  const leastMs = (usage: (s: StepResult) => number | undefined) =>
    Math.min(...overloaded.map((s) => cpuMsPerEvent(usage(s) ?? Infinity, s)));
  const velocityMs = leastMs((s) => s.usage['velocity']?.cpuPercentAvg);
  const redisMs = leastMs((s) => s.infrastructureUsage?.['redis']?.cpuPercentAvg);
  if (Number.isFinite(velocityMs) && Number.isFinite(redisMs)) {
    notes.push(
      `- Two single-core bounds: velocity is one process and Redis one thread, so neither can pass one core. At the steps that did not keep up, ` +
        `velocity spent at least ${velocityMs.toFixed(2)} ms of CPU per event (at most ${Math.round(1000 / velocityMs).toLocaleString('en-US')} ev/s on a whole core) ` +
        `and Redis ${redisMs.toFixed(2)} ms (at most ${Math.round(1000 / redisMs).toLocaleString('en-US')} ev/s), almost all of it the counters' Lua scripts. ` +
        `Each alone is above the 0.2 ms per event that 10,000 ev/s leaves the whole pipeline on ${cores} cores. ` +
        `The Kafka hops themselves are not the limit: with no detection work they carry ${Math.round(floorPerSec).toLocaleString('en-US')} ev/s in this run (the hops floor), ` +
        `at most ${((cores * 1000) / floorPerSec).toFixed(2)} ms of the ${cores} cores per event. What separates the pipeline from the targets is Vigil's work per event. ` +
        'Closing it needs the counters in velocity\'s process (Redis as their changelog and snapshot instead of the place every event is counted: ' +
        `a change of the design card, which puts the rolling counters in Redis), velocity's own work down to ~0.1 ms per event (${(velocityMs / 0.1).toFixed(1)} x less), ` +
        'and more cores than these 2 (the services spread over instances only with a repartition stage keyed by the deciding entity).',
    );
  }
  if (Number(load.split(' ')[0]) > cores) {
    notes.push(`- Load average at the start was ${load} on ${cores} cores: other work was running; the figures are a lower bound.`);
  }
  for (const profile of profiles) {
    const areas = profile.areas.slice(0, 5).map((a) => `${a.area} ${a.percent.toFixed(1)} %`);
    const top = profile.entries.slice(0, 3).map((e) => `${e.functionName} (${e.location || 'native'}, ${e.percent.toFixed(1)} %)`);
    notes.push(`- Self time in ${profile.service} (profile phase, share of its busy time): ${areas.join(', ')}; top functions ${top.join('; ')}.`);
  }
  const lowest = steps.find((s) => s.door === 'http');
  const at1k = steps.find((s) => s.door === 'http' && s.rate === 1000);
  const hopText = (s: StepResult | undefined) =>
    s?.hops
      ? `ingestion ${s.hops.ingestion.p50} ms, velocity ${s.hops.velocity.p50} ms, alerting ${s.hops.alerting.p50} ms, delivery ${s.hops.delivery.p50} ms`
      : 'no markers';
  const velocityPass = (s: StepResult | undefined) => {
    const v = s?.alignment?.velocity;
    if (!v || !v.release || v.release.count === 0) return 'no chunk figures';
    return (
      `velocity's events waited ${v.alignment.meanMs?.toFixed(0) ?? '-'} ms on average for the watermark alone and ${v.wait.meanMs?.toFixed(0) ?? '-'} ms in all; ` +
      `its chunks (${(v.wait.count / v.release.count).toFixed(0)} events each) took ${v.release.meanMs?.toFixed(0) ?? '-'} ms on average, ` +
      `with Redis round trips of ${v.redisBatch.meanMs?.toFixed(0) ?? '-'} ms and publishes of ${v.publish.meanMs?.toFixed(0) ?? '-'} ms`
    );
  };
  notes.push(
    `- Where the latency goes (hop p50): at ${lowest?.rate ?? '-'} ev/s ${hopText(lowest)}; at 1,000 ev/s ${hopText(at1k)}. ` +
      `At ${lowest?.rate ?? '-'} ev/s ${velocityPass(lowest)}; at 1,000 ev/s ${velocityPass(at1k)}. ` +
      'The velocity hop is the fetch, the event-time merge and the ordered pass. Ingestion\'s watermark records let a publish call\'s events pass every partition ' +
      'once the call\'s records are fetched (docs/event-time.md), so the merge costs little; what remains is the chunk: the counters\' Lua round trip (with the seller and ' +
      'fund-flow detectors beside it), the rules, the claim round trip, the publish (acks=all) and the offset commit, one after the other, and an event that arrives ' +
      'while a chunk runs waits for it. The chunks cannot overlap: a redelivered event of an entity that has a later counting call is taken as already published ' +
      '(libs/counters, the replay record), which holds only if a chunk publishes before the next one counts.',
  );
  const msPerEvent = (s: StepResult | undefined, service: string) =>
    s && s.usage[service] ? cpuMsPerEvent(s.usage[service].cpuPercentAvg, s) : undefined;
  const velocityAt1k = msPerEvent(at1k, 'velocity');
  if (at1k?.hops && velocityAt1k !== undefined) {
    const others = (at1k.hops.ingestion.p50 ?? 0) + (at1k.hops.alerting.p50 ?? 0) + (at1k.hops.delivery.p50 ?? 0);
    notes.push(
      `- What holds the p99 at 1,000 ev/s back: each HTTP batch of ${HTTP_BATCH_AT_1K} events reaches velocity at once and is one chunk, and velocity spends ` +
        `${velocityAt1k.toFixed(2)} ms of CPU per event: ${Math.round(HTTP_BATCH_AT_1K * velocityAt1k)} ms for the batch on its own, against a 35 ms budget for the whole path; ` +
        `the other three hops (ingestion, alerting, delivery: a produce with acks=all and a fetch each) add ${others} ms at p50. ` +
        'Closing it needs velocity\'s pass several times cheaper per event (the counters\' round trip and its arguments and replies, the rules, the garbage they leave), ' +
        'and the hops\' own latency down to a few ms each.',
    );
  }
  const perEventText = (s: StepResult | undefined) =>
    ['ingestion', 'velocity', 'review-analysis', 'alerting'].map((name) => `${name} ${msPerEvent(s, name)?.toFixed(2) ?? '?'}`).join(', ');
  notes.push(
    '- Where the throughput goes: velocity and review-analysis have one active member per group (the watermark must see every partition whose events share state), ' +
      'so each is one process whatever the instances; from the 1,000 ev/s step on, velocity\'s whole sequencer wait is mostly queueing behind its ordered pass, not alignment. ' +
      'Spreading one tenant over instances needs a repartition stage keyed by the deciding entity (not built). ' +
      `CPU per event at HTTP 1,000 ev/s (ms of one core): ${perEventText(at1k)}; the broker, Redis and the load generator take the rest of the 2 cores. ` +
      'The profiles above say where: in every service garbage collection and the Node runtime\'s sockets and buffers are the largest parts, then kafkajs; ' +
      'in velocity the counters engine (building the Lua calls\' arguments, reading their replies) and the event-time consumer; Redis\'s time is almost all the counters\' Lua scripts. ' +
      'No single function is worth more than a few per cent: the cost is spread over the whole path an event takes.',
    '- Already done: validate once at the door, through the contracts\' compiled JSON Schemas (3.8 µs per event instead of 31.7 µs for class-validator; consumers trust the schema-version header, decode.md), ' +
      'compact counter state (one Lua call per entity per chunk, 5.5 keys and ~1 KB per event over a simulated day, redis-state.md), ' +
      'watermark records (watermark-records.md), the services run from the tsc build, every batch consumer processes 4 partitions concurrently, ' +
      'fetches are capped (512 KiB per partition, 2 MiB per fetch) so memory stays bounded while catching up.',
  );
  return notes;
}

interface StepPlan {
  door: Door;
  rate: number;
}

/** HTTP steps first (BENCH_RATES), then the Kafka intake door (BENCH_INTAKE_RATES). */
function plannedSteps(): StepPlan[] {
  const rates = (name: string, fallback: string) =>
    (process.env[name] ?? fallback)
      .split(',')
      .filter(Boolean)
      .map(Number);
  return [
    ...rates('BENCH_RATES', '100,1000,2500,5000').map((rate) => ({ door: 'http' as const, rate })),
    ...rates('BENCH_INTAKE_RATES', '1000,5000,10000').map((rate) => ({ door: 'intake' as const, rate })),
  ];
}

/** Per-hop latency of the markers that made it through: producer timestamps of each hop's record. */
function hopLatencies(markersSent: ReadonlyMap<string, number>, collector: MarkerCollector): StepResult['hops'] {
  const spans: Record<keyof NonNullable<StepResult['hops']>, number[]> = { ingestion: [], velocity: [], alerting: [], delivery: [] };
  for (const [marker, sentAt] of markersSent) {
    const t = collector.markers.get(marker);
    const { event, signal, alert } = t?.produced ?? {};
    if (!t?.alertReceived || event === undefined || signal === undefined || alert === undefined) continue;
    spans.ingestion.push(event - sentAt);
    spans.velocity.push(signal - event);
    spans.alerting.push(alert - signal);
    spans.delivery.push(t.alertReceived - alert);
  }
  const summary = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  return {
    ingestion: summary(spans.ingestion),
    velocity: summary(spans.velocity),
    alerting: summary(spans.alerting),
    delivery: summary(spans.delivery),
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machineAtStart = machine();
  const brokers = required('VIGIL_TEST_KAFKA_BROKERS');
  const redisUrl = required('VIGIL_TEST_REDIS_URL');
  const runId = `b${Date.now().toString(36)}`;
  const prefix = `bench-${runId}`;
  let stateMeasured = false;
  const topics = topicNames(prefix);

  const kafka = new Kafka({ clientId: `vigil-bench-${runId}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const intakeProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let services: RunningService[] = [];
  let collector: MarkerCollector | undefined;
  const onExit = () => killServicesNow(services);
  process.on('exit', onExit);
  const onSignal = () => {
    killServicesNow(services);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const serviceEnv = {
    SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'),
    KAFKA_BROKERS: brokers,
    REDIS_URL: redisUrl,
    VIGIL_TOPIC_PREFIX: prefix,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    INGESTION_API_KEYS: `${TENANT}:${API_KEY}`,
    // The default per-key limit (6000/min) protects production from one noisy client; the
    // benchmark is that client on purpose.
    INGESTION_RATE_LIMIT: '100000000',
    ALERTING_DASHBOARD_TOKEN: 'bench-token',
  };

  try {
    console.log(`== traffic: simulating ordinary marketplace traffic`);
    const traffic = new TrafficSource(TENANT, runId);
    console.log(`   ${traffic.size} distinct simulated events, reused with new ids`);

    console.log(`== launching the four services (prefix ${prefix})`);
    services = await launchServices({ root: ROOT, healthTimeoutMs: 90_000, env: serviceEnv, logDir: process.env.BENCH_LOG_DIR });
    for (const s of services) console.log(`   ${s.name} pid ${s.pid} ${s.url}`);
    const infrastructure = [
      { name: 'kafka broker', pid: pidListeningOn(Number(brokers.split(',')[0].split(':')[1])) },
      { name: 'redis', pid: pidListeningOn(Number(new URL(redisUrl).port || 6379)) },
      { name: 'load generator', pid: process.pid },
    ].filter((p): p is { name: string; pid: number } => p.pid !== undefined);
    console.log(`   measured beside them: ${infrastructure.map((p) => `${p.name} pid ${p.pid}`).join(', ')}`);

    await admin.connect();
    await intakeProducer.connect();
    const ourTopics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    const groups = [`${prefix}.vigil-ingestion-intake`, `${prefix}.vigil-velocity`, `${prefix}.vigil-review-analysis`, `${prefix}.vigil-alerting-signals`];
    collector = await MarkerCollector.start(kafka, { event: topics.events.wallets, signal: topics.signals, alert: topics.alerts }, `${prefix}.bench-markers`);
    const senders: Record<Door, BatchSender> = { http: httpSender(services[0].url, API_KEY), intake: intakeSender(intakeProducer, topics.intake) };

    // A warm-up so JIT, connections and group assignments are settled before the first measured step.
    console.log('== warm-up: 3 s at 500 ev/s through each door');
    for (const door of ['http', 'intake'] as const) {
      await driveStep(senders[door], traffic, `warm-${door}`, { rate: 500, durationMs: 3000, batchSize: 100, connections: 2, markerEvery: 100 });
    }
    await sleep(3000);

    const steps: StepResult[] = [];
    const saturatedDoors = new Set<Door>();
    for (const { door, rate } of plannedSteps()) {
      if (saturatedDoors.has(door)) continue;
      const before = await counters(services);
      // Beside the services: the broker, Redis and this process (the load generator), so the
      // report splits the rest of the machine instead of lumping it.
      const sampler = new ProcessSampler([...services.map((s) => s.pid), ...infrastructure.map((p) => p.pid)]);
      sampler.start();
      const stepId = `${door}${rate}`;
      const load = await driveStep(senders[door], traffic, stepId, {
        rate,
        durationMs: STEP_MS,
        batchSize: rate >= 5000 ? 250 : HTTP_BATCH_AT_1K,
        connections: 4,
        markerEvery: 100,
      });
      const loadEnd = Date.now();
      // Drain: lag 0 on every group and the consumed counters no longer moving.
      let drainMs: number | undefined;
      let previousConsumed = -1;
      let remainingLag = 0;
      while (Date.now() - loadEnd < DRAIN_LIMIT_MS) {
        const lag = await totalLag(admin, groups, ourTopics);
        remainingLag = lag;
        const now = await counters(services);
        const consumed = Object.values(now).reduce((sum, c) => sum + c.consumed, 0);
        if (lag === 0 && consumed === previousConsumed) {
          drainMs = Date.now() - loadEnd;
          break;
        }
        previousConsumed = consumed;
        await sleep(250);
      }
      const processedEnd = Date.now();
      const after = await counters(services);
      const usage = sampler.stop();
      // Markers may still be in flight through alerting after the drain check.
      const markerDeadline = Date.now() + ALERT_GRACE_MS;
      while (Date.now() < markerDeadline && [...load.markersSent.keys()].some((m) => collector!.alertReceivedAt(m) === undefined)) await sleep(100);

      const latencies = [...load.markersSent.entries()]
        .map(([m, sentAt]) => {
          const receivedAt = collector!.alertReceivedAt(m);
          return receivedAt === undefined ? undefined : receivedAt - sentAt;
        })
        .filter((v): v is number => v !== undefined)
        .sort((a, b) => a - b);
      // Once no group has lag, every detector has consumed every accepted event, so
      // accepted/(step + drain time) is the pipeline rate. When the drain limit passed first,
      // what is still lagging is not counted as processed.
      const processed = Math.max(0, load.accepted - remainingLag);
      const roundTrips = Object.keys(after).reduce((sum, n) => sum + after[n].redisRoundTrips - before[n].redisRoundTrips, 0);
      const usageByName = Object.fromEntries(services.map((s) => [s.name, usage.get(s.pid)!]));
      const infrastructureUsage = Object.fromEntries(infrastructure.map((p) => [p.name, usage.get(p.pid)!]));
      const alignment: StepResult['alignment'] = {};
      for (const name of Object.keys(after)) {
        const delta = histogramDelta(before[name].alignment, after[name].alignment);
        const fetchDelta = histogramDelta(before[name].fetch, after[name].fetch);
        if (delta.count > 0 || fetchDelta.count > 0)
          alignment[name] = {
            alignment: delta,
            wait: histogramDelta(before[name].wait, after[name].wait),
            fetch: fetchDelta,
            release: histogramDelta(before[name].release, after[name].release),
            redisBatch: histogramDelta(before[name].redisBatch, after[name].redisBatch),
            publish: histogramDelta(before[name].publish, after[name].publish),
          };
      }
      const step: StepResult = {
        door,
        rate,
        offeredPerSec: (load.offered / load.elapsedMs) * 1000,
        acceptedPerSec: (load.accepted / load.elapsedMs) * 1000,
        failedRequests: load.failedRequests,
        firstError: load.firstError,
        processed,
        processedPerSec: (processed / (processedEnd - loadEnd + load.elapsedMs)) * 1000,
        drainMs,
        sustained: drainMs !== undefined && drainMs <= KEEP_UP_MS && load.failedRequests === 0 && load.offered >= 0.9 * rate * (STEP_MS / 1000),
        markers: load.markersSent.size,
        markersAlerted: latencies.length,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        hops: hopLatencies(load.markersSent, collector),
        redisRoundTripsPerEvent: load.accepted ? roundTrips / load.accepted : 0,
        gcSharePercent: Object.fromEntries(
          Object.keys(after).map((name) => {
            const cpu = after[name].cpuSeconds - before[name].cpuSeconds;
            return [name, cpu > 0 ? ((after[name].gcSeconds - before[name].gcSeconds) / cpu) * 100 : 0];
          }),
        ),
        alignment,
        usage: usageByName,
        infrastructureUsage,
        machineBusyPercent: sampler.machineBusyPercent,
      };
      steps.push(step);
      const hops = step.hops!;
      console.log(
        `step ${door} ${rate}/s: offered ${step.offeredPerSec.toFixed(0)}/s accepted ${step.acceptedPerSec.toFixed(0)}/s processed ${step.processedPerSec.toFixed(0)}/s ` +
          `drain ${drainMs === undefined ? 'NOT drained' : `${drainMs} ms`} kept-up ${step.sustained} markers ${step.markersAlerted}/${step.markers} ` +
          `p50/p95/p99 ${step.p50}/${step.p95}/${step.p99} ms redis rt/ev ${step.redisRoundTripsPerEvent.toFixed(3)} failed ${load.failedRequests}` +
          (load.firstError ? ` (${load.firstError})` : '') +
          (load.notAccepted ? ` not accepted ${load.notAccepted} (first: ${load.firstRefusal})` : '') +
          ` machine busy ${sampler.machineBusyPercent.toFixed(0)}%\n` +
          `   hops p50 (p99) ms: ingestion ${hops.ingestion.p50} (${hops.ingestion.p99}), velocity ${hops.velocity.p50} (${hops.velocity.p99}), ` +
          `alerting ${hops.alerting.p50} (${hops.alerting.p99}), delivery ${hops.delivery.p50} (${hops.delivery.p99})`,
      );
      for (const [name, { alignment: a, wait: w, fetch: f }] of Object.entries(alignment)) {
        console.log(
          `   ${name.padEnd(16)} fetch delay mean ${f.meanMs?.toFixed(1)} ms, p50 <= ${f.p50Ms} ms; event-time alignment: ${a.count} events, mean ${a.meanMs?.toFixed(1)} ms, p50 <= ${a.p50Ms} ms, p99 <= ${a.p99Ms} ms; ` +
            `whole wait mean ${w.meanMs?.toFixed(1)} ms, p50 <= ${w.p50Ms} ms, p99 <= ${w.p99Ms} ms`,
        );
      }
      for (const s of services) {
        const u = usage.get(s.pid)!;
        console.log(`   ${s.name.padEnd(16)} cpu avg ${u.cpuPercentAvg.toFixed(0)}% max ${u.cpuPercentMax.toFixed(0)}%  rss max ${u.rssMbMax.toFixed(0)} MB`);
      }
      if (drainMs === undefined) {
        console.log(`   the pipeline did not drain: higher ${door} steps would only queue more, skipping them`);
        saturatedDoors.add(door);
      }
    }

    await collector.stop().catch(() => undefined);
    collector = undefined;
    await stopServices(services);
    services = [];

    // After the services stopped: a step that did not drain must not share the broker with it.
    console.log('== reference ceiling: bare kafkajs produce + consume of the same messages');
    const ceilingCount = Number(process.env.BENCH_CEILING_MESSAGES ?? 100_000);
    const payloads = Array.from({ length: ceilingCount }, () => JSON.stringify(traffic.next()));
    const ceiling = await measureCeiling(kafka, `${prefix}.bench.ceiling`, payloads, 6);
    console.log(`   ${ceiling.messages} messages in ${ceiling.elapsedMs} ms = ${ceiling.messagesPerSecond.toFixed(0)} msg/s`);
    console.log('== the hops floor: the same messages through the intake door\'s Kafka hops with no detection work');
    const floor = await measureHopsFloor(kafka, brokers, prefix, payloads, 6);
    console.log(`   ${floor.messages} events in ${floor.elapsedMs} ms = ${floor.eventsPerSecond.toFixed(0)} ev/s`);

    // The profile is a separate phase (issue 13): --cpu-prof slows the process it profiles, so
    // the measured steps above ran without it. Fresh processes, one HTTP step, then each
    // service's top self-time functions.
    const profiles: ProfileSummary[] = [];
    let redisCommands: CommandCost[] = [];
    if (PROFILE) {
      const profileDir = mkdtempSync(join(tmpdir(), 'vigil-bench-prof-'));
      const dirs = Object.fromEntries(SERVICE_NAMES.map((n) => [n, join(profileDir, n)]));
      for (const dir of Object.values(dirs)) mkdirSync(dir);
      console.log(`== profile: the four services under --cpu-prof, ${PROFILE_RATE} ev/s through HTTP for ${STEP_MS / 1000} s`);
      const launchedAt = Date.now();
      services = await launchServices({
        root: ROOT,
        healthTimeoutMs: 90_000,
        env: serviceEnv,
        nodeArgs: Object.fromEntries(SERVICE_NAMES.map((n) => [n, ['--cpu-prof', `--cpu-prof-dir=${dirs[n]}`]])),
      });
      // Start-up (module loading, compilation, group joins) is left out of the summaries.
      await sleep(3000);
      const startupMs = Date.now() - launchedAt;
      const commandsBefore = await readCommandStats(redisUrl);
      const profileLoad = await driveStep(httpSender(services[0].url, API_KEY), traffic, 'profile', { rate: PROFILE_RATE, durationMs: STEP_MS, batchSize: 100, connections: 4, markerEvery: 100 });
      await sleep(3000);
      redisCommands = commandCosts(commandsBefore, await readCommandStats(redisUrl), Math.max(1, profileLoad.accepted));
      console.log(`   redis: ${redisCommands.slice(0, 5).map((c) => `${c.command} ${c.usecPerEvent.toFixed(1)} µs/event`).join(', ')}`);
      await stopServices(services);
      services = [];
      for (const name of SERVICE_NAMES) {
        const summary = summariseCpuProfile(dirs[name], 15, startupMs);
        if (summary.functions.length) profiles.push({ service: name, step: PROFILE_RATE, entries: summary.functions, areas: summary.areas });
        console.log(`   ${name}: ${summary.areas.slice(0, 6).map((a) => `${a.percent.toFixed(1)}% ${a.area}`).join(', ')}`);
      }
    }

    await admin.disconnect();
    await intakeProducer.disconnect();
    // What the run left in Redis, per processed event; then delete it (the Redis is shared).
    const redisState: StateSummary = await measureState(redisUrl, prefix, Math.max(1, steps.reduce((sum, s) => sum + s.processed, 0)), true);
    stateMeasured = true;
    console.log(`   redis state: ${redisState.keysPerEvent.toFixed(2)} keys and ${redisState.bytesPerEvent.toFixed(0)} bytes per processed event`);

    const sustainedRate = (door: Door) => Math.max(0, ...steps.filter((s) => s.door === door && s.sustained).map((s) => s.processedPerSec));
    const best = Math.max(sustainedRate('http'), sustainedRate('intake'));
    const ratio = best / ceiling.messagesPerSecond;
    const at1k = steps.find((s) => s.door === 'http' && s.rate === 1000);
    const maxRss = Math.max(...steps.flatMap((s) => Object.values(s.usage).map((u) => u.rssMbMax)));
    const targets: Target[] = [
      { name: '>= 5,000 ev/s sustained through HTTP batches', met: sustainedRate('http') >= 5_000, measured: `${Math.round(sustainedRate('http'))} ev/s` },
      { name: '>= 10,000 ev/s sustained through the intake topic', met: sustainedRate('intake') >= 10_000, measured: `${Math.round(sustainedRate('intake'))} ev/s` },
      { name: 'p99 ingest -> alert <= 35 ms at 1,000 ev/s (HTTP)', met: !!at1k?.p99 && at1k.p99 <= 35, measured: at1k?.p99 === undefined ? 'no data' : `${at1k.p99} ms` },
      {
        name: 'pipeline >= 0.5 x ceiling',
        met: ratio >= 0.5,
        measured: `${ratio.toFixed(2)} x (${Math.round(ceiling.messagesPerSecond)} msg/s ceiling; the hops floor with no detection work: ${(floor.eventsPerSecond / ceiling.messagesPerSecond).toFixed(2)} x)`,
      },
      { name: 'each service < 256 MB RSS', met: maxRss < 256, measured: `max ${Math.round(maxRss)} MB` },
    ];
    for (const t of targets) console.log(`target ${t.name}: ${t.measured} -> ${t.met ? 'met' : 'MISSED'}`);

    const notes = analysis(steps, targets, ceiling.messagesPerSecond, floor.eventsPerSecond, machineAtStart['load average at start'], profiles);
    mkdirSync(REPORTS, { recursive: true });
    writeFileSync(
      join(REPORTS, 'pipeline.md'),
      renderMarkdown({
        machine: { ...machineAtStart, 'load average at end': machine()['load average at start'] },
        steps,
        ceiling,
        floor,
        ratio,
        targets,
        profiles,
        redisCommands,
        notes,
        command: [
          ...['BENCH_RATES', 'BENCH_INTAKE_RATES', 'BENCH_STEP_SECONDS', 'BENCH_DRAIN_LIMIT_SECONDS', 'BENCH_PROFILE', 'BENCH_PROFILE_RATE'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`),
          'npm run bench',
        ].join(' '),
        startedAt: startedAt.toISOString(),
        durationS: (Date.now() - startedAt.getTime()) / 1000,
        redisState,
      }),
    );
    writeFileSync(join(REPORTS, 'pipeline.svg'), renderSvg(steps, ceiling.messagesPerSecond));
    console.log(`report: ${join(REPORTS, 'pipeline.md')}`);
  } finally {
    if (collector) await collector.stop().catch(() => undefined);
    await intakeProducer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await stopServices(services);
    if (!stateMeasured) await measureState(redisUrl, prefix, 1, true).catch((error) => console.warn(`could not delete the run's Redis keys (${prefix}:*): ${(error as Error).message}`));
    process.off('exit', onExit);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
