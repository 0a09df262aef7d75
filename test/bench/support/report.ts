import type { StateSummary } from '../redis-state';
import { HistogramDelta } from './metrics';
import { AreaEntry, SelfTimeEntry } from './cpu-profile';
import { CommandCost } from './redis-commands';
import { CeilingResult } from './ceiling';
import { HopsFloorResult } from './hops-floor';
import { ProcessUsage } from './proc-stats';
import type { Door } from './load';

export interface LatencySummary {
  p50?: number;
  p99?: number;
}

export interface StepResult {
  door: Door;
  rate: number;
  offeredPerSec: number;
  acceptedPerSec: number;
  failedRequests: number;
  firstError?: string;
  processedPerSec: number;
  /** Accepted events consumed by every group by the end of the drain. */
  processed: number;
  drainMs: number | undefined;
  sustained: boolean;
  markers: number;
  markersAlerted: number;
  p50?: number;
  p95?: number;
  p99?: number;
  /**
   * The markers' latency split by hop (Kafka record timestamps): HTTP/intake to the event on its
   * family topic, to velocity's signal, to alerting's alert, and the alert's delivery to a consumer.
   */
  hops?: { ingestion: LatencySummary; velocity: LatencySummary; alerting: LatencySummary; delivery: LatencySummary };
  redisRoundTripsPerEvent: number;
  /** Per service: its garbage collection's share of its own CPU time over the step and drain (%). */
  gcSharePercent?: Record<string, number>;
  /** Event-time alignment (docs/event-time.md): how long events waited for the low watermark, per service. */
  alignment: Record<
    string,
    {
      alignment: HistogramDelta;
      wait: HistogramDelta;
      fetch: HistogramDelta;
      release: HistogramDelta;
      redisBatch: HistogramDelta;
      publish: HistogramDelta;
    }
  >;
  usage: Record<string, ProcessUsage>;
  /** The broker, Redis and the load generator, sampled the same way (those found). */
  infrastructureUsage?: Record<string, ProcessUsage>;
  /** Busy share of the whole machine (all cores) during the step and drain, 0-100 %. */
  machineBusyPercent: number;
}

export interface Target {
  name: string;
  met: boolean;
  measured: string;
}

export interface ProfileSummary {
  service: string;
  /** HTTP rate of the profile phase. */
  step: number;
  entries: SelfTimeEntry[];
  areas: AreaEntry[];
}

export interface ReportInput {
  machine: Record<string, string>;
  steps: StepResult[];
  ceiling: CeilingResult;
  /** The intake door's Kafka hops in separate processes with no detection work. */
  floor?: HopsFloorResult;
  ratio: number;
  targets: Target[];
  profiles: ProfileSummary[];
  /** Redis time per event by command during the profile step. */
  redisCommands?: CommandCost[];
  notes: string[];
  command: string;
  startedAt: string;
  durationS: number;
  /** Redis keys and bytes the run left under its prefix (deleted afterwards). */
  redisState?: StateSummary;
}

const f0 = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const f1 = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(1));

export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function renderMarkdown(input: ReportInput): string {
  const services = Object.keys(input.steps[0]?.usage ?? {});
  const lines: string[] = [];
  lines.push('# Full-pipeline benchmark', '');
  lines.push(`Run ${input.startedAt}, ${Math.round(input.durationS)} s. Command: \`${input.command}\``, '');
  lines.push('## Machine', '');
  for (const [k, v] of Object.entries(input.machine)) lines.push(`- ${k}: ${v}`);
  lines.push(
    '- Everything on this one machine: the Kafka broker, Redis, the four services and the load generator share its cores',
    '  (as the targets of issue 13 require). Other work on the machine shows in the load average above; the ratio to the',
    '  bare-Kafka ceiling measured in the same run is the steadier figure.',
    '',
  );
  lines.push('## Targets (issue 13)', '', '| Target | Measured | Met |', '|---|---|---|');
  for (const t of input.targets) lines.push(`| ${t.name} | ${t.measured} | ${t.met ? 'met' : '**missed**'} |`);
  lines.push('', '![throughput and p99 per step](pipeline.svg)', '');
  lines.push('## Steps', '');
  lines.push(
    '| Door | Target rate | Offered ev/s | Accepted ev/s | Processed ev/s | Drain after step | Kept up | Markers alerted | p50 ms | p95 ms | p99 ms | Redis round trips/event |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const s of input.steps) {
    lines.push(
      `| ${s.door} | ${f0(s.rate)} | ${f0(s.offeredPerSec)} | ${f0(s.acceptedPerSec)} | ${f0(s.processedPerSec)} | ${s.drainMs === undefined ? 'not drained' : `${(s.drainMs / 1000).toFixed(1)} s`} | ${s.sustained ? 'yes' : 'no'} | ${s.markersAlerted}/${s.markers} | ${f0(s.p50)} | ${f0(s.p95)} | ${f0(s.p99)} | ${s.redisRoundTripsPerEvent.toFixed(3)} |`,
    );
  }
  lines.push('', '### Where the latency goes: the four hops', '');
  lines.push(
    'Each marker\'s records carry the producing service\'s timestamp: ingestion = request sent (HTTP) or produced (intake) to its event on the wallets topic ' +
      '(parse, validation, dedupe, linger, produce); velocity = that event to its signal (fetch, event-time alignment, rules, linger, produce); ' +
      'alerting = signal to alert (fetch, scoring, store, produce); delivery = alert record to a platform consumer receiving it. p50 (p99), ms.',
    '',
    '| Door | Target rate | ingestion | velocity | alerting | delivery | end to end |',
    '|---|---|---|---|---|---|---|',
  );
  const hop = (h?: LatencySummary) => (h ? `${f0(h.p50)} (${f0(h.p99)})` : '–');
  for (const s of input.steps) {
    lines.push(`| ${s.door} | ${f0(s.rate)} | ${hop(s.hops?.ingestion)} | ${hop(s.hops?.velocity)} | ${hop(s.hops?.alerting)} | ${hop(s.hops?.delivery)} | ${f0(s.p50)} (${f0(s.p99)}) |`);
  }
  lines.push('', '### Fetch delay and event-time alignment (docs/event-time.md)', '');
  lines.push(
    'Fetch delay: from a record\'s producer timestamp to its arrival in the consumer (`vigil_kafka_fetch_delay_seconds`, every consumer of the service). ' +
      'Alignment: the part of each event\'s wait in the event-time sequencer during which the handler was free, i.e. the event was held back ' +
      'only by the low watermark over the input partitions (`vigil_stream_alignment_delay_seconds`); beside it the whole wait from fetch to release, ' +
      'which adds queueing behind the chunks in hand (`vigil_stream_wait_seconds`). Scraped before and after each step; mean exact, p50/p99 as the upper bound of their histogram bucket.',
    '',
    '| Door | Target rate | service | fetch delay mean ms | fetch p50 (<=) | events aligned | alignment mean ms | alignment p50 ms (<=) | alignment p99 ms (<=) | whole wait mean ms | whole wait p50 (<=) | whole wait p99 (<=) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const s of input.steps) {
    for (const [service, { alignment: a, wait: w, fetch: f }] of Object.entries(s.alignment ?? {})) {
      lines.push(
        `| ${s.door} | ${f0(s.rate)} | ${service} | ${f1(f.meanMs)} | ${f0(f.p50Ms)} | ${f0(a.count)} | ${f1(a.meanMs)} | ${f0(a.p50Ms)} | ${f0(a.p99Ms)} | ${f1(w.meanMs)} | ${f0(w.p50Ms)} | ${f0(w.p99Ms)} |`,
      );
    }
  }
  lines.push('', '### The ordered pass: chunks, Redis round trips and publishes', '');
  lines.push(
    'An event-time consumer handles one released chunk at a time (docs/event-time.md): the chunk\'s Redis round trips, detectors, rules and ' +
      'publishes, then the offset commit (`vigil_stream_release_duration_seconds`). An event released while a chunk is in hand waits for it: ' +
      'this is the queueing part of the whole wait above. Beside it each service\'s Redis pipeline round trips (`vigil_redis_batch_duration_seconds`) ' +
      'and publishes, publish() to acknowledgement with the linger (`vigil_kafka_publish_duration_seconds`).',
    '',
    '| Door | Target rate | service | chunks | events per chunk | chunk mean ms | chunk p50 (<=) | chunk p99 (<=) | Redis round trip mean ms | Redis p99 (<=) | publish mean ms | publish p99 (<=) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const s of input.steps) {
    for (const [service, { wait: w, release: r, redisBatch: rb, publish: pb }] of Object.entries(s.alignment ?? {})) {
      if (!r || r.count === 0) continue;
      lines.push(
        `| ${s.door} | ${f0(s.rate)} | ${service} | ${f0(r.count)} | ${f1(w.count / r.count)} | ${f1(r.meanMs)} | ${f0(r.p50Ms)} | ${f0(r.p99Ms)} | ${f1(rb.meanMs)} | ${f0(rb.p99Ms)} | ${f1(pb.meanMs)} | ${f0(pb.p99Ms)} |`,
      );
    }
  }
  lines.push('', '### CPU (% of one core, average over the step and drain; max sample) and peak RSS per service', '');
  lines.push(
    'Machine busy = the whole machine (both cores) over the step; what the services do not use of it went to the Kafka broker, Redis and the load generator.',
    '',
  );
  lines.push(`| Door | Target rate | machine busy | ${services.map((s) => `${s} CPU avg / max`).join(' | ')} | ${services.map((s) => `${s} RSS MB`).join(' | ')} |`);
  lines.push(`|---|---|---|${services.map(() => '---').join('|')}|${services.map(() => '---').join('|')}|`);
  for (const s of input.steps) {
    lines.push(
      `| ${s.door} | ${f0(s.rate)} | ${f0(s.machineBusyPercent)} % | ${services.map((n) => `${f0(s.usage[n].cpuPercentAvg)} / ${f0(s.usage[n].cpuPercentMax)}`).join(' | ')} | ${services.map((n) => f0(s.usage[n].rssMbMax)).join(' | ')} |`,
    );
  }
  lines.push('', '### CPU per processed event, per process (ms of one core)', '');
  lines.push(`| Door | Target rate | ${services.join(' | ')} | whole machine |`, `|---|---|${services.map(() => '---').join('|')}|---|`);
  const cores = Number(input.machine.nproc) || 2;
  const perEvent = (cpuPercent: number, s: StepResult) => (s.processedPerSec > 0 ? ((cpuPercent / 100) * 1000) / s.processedPerSec : undefined);
  for (const s of input.steps) {
    const cell = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));
    lines.push(`| ${s.door} | ${f0(s.rate)} | ${services.map((n) => cell(perEvent(s.usage[n].cpuPercentAvg, s))).join(' | ')} | ${cell(perEvent(s.machineBusyPercent * cores, s))} |`);
  }
  if (input.steps.some((s) => s.gcSharePercent)) {
    lines.push('', '### Garbage collection: share of each service\'s own CPU time (%)', '');
    lines.push(
      'V8\'s collection pauses (`nodejs_gc_duration_seconds`, every kind) over the process\'s CPU time (`process_cpu_seconds_total`), both from the service\'s metrics over the step and its drain. ' +
        'Pauses are wall time, so on a busy machine they include time the collector waited for a core.',
      '',
    );
    lines.push(`| Door | Target rate | ${services.join(' | ')} |`, `|---|---|${services.map(() => '---').join('|')}|`);
    for (const s of input.steps) lines.push(`| ${s.door} | ${f0(s.rate)} | ${services.map((n) => f0(s.gcSharePercent?.[n])).join(' | ')} |`);
  }
  const infrastructure = Object.keys(input.steps[0]?.infrastructureUsage ?? {});
  if (infrastructure.length) {
    lines.push('', '### The rest of the machine: CPU per processed event of the broker, Redis and the load generator (ms of one core)', '');
    lines.push(`| Door | Target rate | ${infrastructure.join(' | ')} | the four services | unaccounted |`, `|---|---|${infrastructure.map(() => '---').join('|')}|---|---|`);
    for (const s of input.steps) {
      const cell = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));
      const own = (n: string) => perEvent(s.infrastructureUsage?.[n]?.cpuPercentAvg ?? 0, s);
      const servicesMs = perEvent(services.reduce((sum, n) => sum + s.usage[n].cpuPercentAvg, 0), s);
      const machineMs = perEvent(s.machineBusyPercent * cores, s);
      const known = (servicesMs ?? 0) + infrastructure.reduce((sum, n) => sum + (own(n) ?? 0), 0);
      lines.push(
        `| ${s.door} | ${f0(s.rate)} | ${infrastructure.map((n) => cell(own(n))).join(' | ')} | ${cell(servicesMs)} | ${cell(machineMs === undefined ? undefined : Math.max(0, machineMs - known))} |`,
      );
    }
  }
  const failing = input.steps.filter((s) => s.failedRequests > 0);
  if (failing.length) {
    lines.push('', 'Failed requests: ' + failing.map((s) => `${s.door} ${f0(s.rate)}/s: ${s.failedRequests} (${s.firstError ?? ''})`).join('; '));
  }
  if (input.redisState) {
    const r = input.redisState;
    lines.push('', '## Redis state left by the run', '');
    lines.push(
      `${f0(r.keys)} keys, ${f1(r.bytes / 1024 / 1024)} MB (MEMORY USAGE under the run's prefix) for ${f0(r.events)} processed events: ` +
        `**${r.keysPerEvent.toFixed(2)} keys and ${f0(r.bytesPerEvent)} bytes per event** (the steps' traffic, a few minutes of event time; ` +
        'a whole simulated day beside the previous layout: `bash test/bench/state-size.sh`, [redis-state.md](redis-state.md)). Largest kinds:',
      '',
      '| key kind | keys/event | bytes/event |',
      '|---|---|---|',
      ...r.kinds.slice(0, 6).map((k) => `| \`${k.kind}\` | ${(k.keys / r.events).toFixed(2)} | ${f0(k.bytes / r.events)} |`),
    );
  }
  lines.push('', '## Reference ceiling (bare kafkajs, same broker, same messages)', '');
  lines.push(
    `${f0(input.ceiling.messages)} messages (${f1(input.ceiling.bytes / input.ceiling.messages)} bytes on average), one idempotent producer with`,
    `batches of 500 (acks=all), one consumer group: **${f0(input.ceiling.messagesPerSecond)} messages/s** end to end`,
    `(${f0(input.ceiling.elapsedMs)} ms). Pipeline sustained / ceiling = **${input.ratio.toFixed(2)}**.`,
    '',
  );
  if (input.floor) {
    lines.push('## The hops floor (the intake door\'s Kafka hops, no detection work)', '');
    lines.push(
      `The same ${f0(input.floor.messages)} messages through the hops an event takes from the intake topic, each in its own process with the services' client settings: ` +
        'a load generator produces them (batches of 500, 4 in flight, acks=all); an ingestion-shaped relay consumes each batch (4 partitions at once), parses and ' +
        're-serialises every message and republishes the batch (idempotent, acks=all); two sinks, velocity\'s and review-analysis\'s consumer groups, read it. ' +
        `**${f0(input.floor.eventsPerSecond)} events/s** (${f0(input.floor.elapsedMs)} ms, first send to the last message read by both sinks): ` +
        'with these clients and settings the intake door\'s topology carries no more on this machine, and what the pipeline costs beyond it is Vigil\'s own work.',
      '',
    );
  }
  for (const profile of input.profiles) {
    lines.push(`## Where the CPU goes: profile of ${profile.service}`, '');
    lines.push(
      `A separate phase after the measured steps: fresh processes under \`node --cpu-prof\`, ${f0(profile.step)} ev/s through HTTP. Top self-time functions (share of busy time during the step; start-up left out):`,
      '',
      '| Function | Location | Self ms | % |',
      '|---|---|---|---|',
    );
    for (const e of profile.entries.slice(0, 10)) lines.push(`| ${e.functionName.replace(/\|/g, '\\|')} | ${e.location} | ${f0(e.selfMs)} | ${f1(e.percent)} |`);
    lines.push('', 'The same self time by where the code lives (npm package, Vigil library or service, the Node runtime, V8):', '', '| Area | Self ms | % |', '|---|---|---|');
    for (const a of profile.areas.slice(0, 12)) lines.push(`| ${a.area} | ${f0(a.selfMs)} | ${f1(a.percent)} |`);
    lines.push('');
  }
  if (input.redisCommands?.length) {
    lines.push(
      '## Where Redis time goes',
      '',
      `The profile step's Redis commands (INFO commandstats before and after), per accepted event. EVALSHA is the Lua scripts' whole time, including the commands they run (also listed under their own names); what EVALSHA has beyond those is the scripts' own Lua work. Redis counts wall time, which on this busy machine includes time its thread waited for a core: the shares are what to read, the CPU per event is in the tables above.`,
      '',
      '| Command | Calls per event | µs per event |',
      '|---|---|---|',
    );
    for (const c of input.redisCommands) lines.push(`| ${c.command} | ${f1(c.callsPerEvent)} | ${f1(c.usecPerEvent)} |`);
    lines.push('');
  }
  if (input.notes.length) lines.push('## Analysis', '', ...input.notes, '');
  lines.push(
    '## Method',
    '',
    '- The four services run as separate processes from the production build (`npm run build`; `node --max-old-space-size=200 dist/services/<x>/src/main.js`),',
    '  with their own topic prefix and Redis key prefix, LOG_LEVEL=warn, against the shared test Kafka and Redis.',
    '- Each step sends batches of simulator traffic (`@vigil/simulator`, ids rewritten per use, event time moved forward),',
    '  paced open-loop at the target rate with 4 batches in flight, through one door: `http` posts them to POST /v1/events/batch',
    '  over keep-alive connections; `intake` produces them (kafkajs, acks=all, keyed by event id) to the intake topic, which',
    '  ingestion validates and republishes exactly like HTTP events.',
    '- 1 % of events are markers: a wallet sending its whole balance to a new destination, which fires velocity\'s',
    '  `wallet-drain-new-destination` rule on that single event; each marker has its own wallet so alerts never merge.',
    '  Latency = first alert for that wallet on fraud.alerts (wall clock) - the send time of its batch.',
    '- Processed ev/s = accepted events (minus any lag left at the drain limit) over the step plus the time until',
    '  every consumer group (ingestion intake, velocity, review-analysis, alerting) had no lag (Kafka admin offsets)',
    '  and the vigil_kafka_consumer_messages_total counters of all services stopped moving;',
    '  a step is kept up when the consumer lag of all four groups (Kafka admin offsets) reached 0',
    '  within a few seconds after the step ended. Redis round trips/event = delta of vigil_redis_round_trips_total',
    '  over all services / accepted events.',
    '',
  );
  return lines.join('\n');
}

/** A two-panel line chart, hand-written SVG: the figures are a handful of points, no chart library needed. */
export function renderSvg(steps: readonly StepResult[], ceilingPerSec: number): string {
  const width = 760;
  const panelH = 220;
  const left = 70;
  const right = 20;
  const xs = steps.map((_, i) => left + ((width - left - right) * (i + 0.5)) / steps.length);
  const parts: string[] = [];
  const panel = (top: number, title: string, series: { name: string; color: string; values: (number | undefined)[] }[], unit: string) => {
    const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== undefined))) * 1.1;
    const y = (v: number) => top + panelH - (v / max) * panelH;
    parts.push(`<text x="${left}" y="${top - 8}" font-size="13" font-weight="bold">${title}</text>`);
    parts.push(`<line x1="${left}" y1="${top + panelH}" x2="${width - right}" y2="${top + panelH}" stroke="#888"/>`);
    parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + panelH}" stroke="#888"/>`);
    for (let g = 0; g <= 4; g++) {
      const v = (max / 4) * g;
      parts.push(`<text x="${left - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${Math.round(v).toLocaleString('en-US')}</text>`);
      parts.push(`<line x1="${left}" y1="${y(v)}" x2="${width - right}" y2="${y(v)}" stroke="#eee"/>`);
    }
    parts.push(`<text x="14" y="${top + panelH / 2}" font-size="11" transform="rotate(-90 14 ${top + panelH / 2})" text-anchor="middle">${unit}</text>`);
    series.forEach((s, si) => {
      const points = s.values.map((v, i) => (v === undefined ? undefined : `${xs[i]},${y(v)}`)).filter(Boolean);
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"/>`);
      s.values.forEach((v, i) => v !== undefined && parts.push(`<circle cx="${xs[i]}" cy="${y(v)}" r="3" fill="${s.color}"/>`));
      parts.push(`<rect x="${width - 200}" y="${top + 4 + si * 16}" width="10" height="10" fill="${s.color}"/>`);
      parts.push(`<text x="${width - 185}" y="${top + 13 + si * 16}" font-size="11">${s.name}</text>`);
    });
    steps.forEach((s, i) => parts.push(`<text x="${xs[i]}" y="${top + panelH + 15}" font-size="10" text-anchor="middle">${s.door} ${s.rate.toLocaleString("en-US")}/s</text>`));
  };
  panel(30, 'Throughput per step (events/s)', [
    { name: 'offered', color: '#999999', values: steps.map((s) => s.offeredPerSec) },
    { name: 'processed', color: '#1f77b4', values: steps.map((s) => s.processedPerSec) },
    { name: 'kafka ceiling', color: '#2ca02c', values: steps.map(() => ceilingPerSec) },
  ], 'events/s');
  panel(30 + panelH + 60, 'End-to-end latency p99 / p50 per step (ms)', [
    { name: 'p99', color: '#d62728', values: steps.map((s) => s.p99) },
    { name: 'p50', color: '#ff7f0e', values: steps.map((s) => s.p50) },
  ], 'ms');
  const height = 30 + 2 * panelH + 60 + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
