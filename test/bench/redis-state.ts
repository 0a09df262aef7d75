/**
 * Redis state left by a run, per ingested event: keys and bytes (MEMORY USAGE of every key under
 * the run's key prefix, so other users of a shared Redis do not count), grouped by key kind.
 *   node -r @swc-node/register test/bench/redis-state.ts measure --redis URL --prefix P --events N --json FILE [--delete]
 *   node -r @swc-node/register test/bench/redis-state.ts drain --brokers B --prefix P   (waits until the run's consumer groups have no lag)
 *   node -r @swc-node/register test/bench/redis-state.ts report --ref A.json --now B.json --out report.md [--meta LINE]...
 * The driver is test/bench/state-size.sh.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { totalLag } from './support/lag';

export interface StateKind {
  kind: string;
  keys: number;
  bytes: number;
}

export interface StateSummary {
  prefix: string;
  events: number;
  keys: number;
  bytes: number;
  keysPerEvent: number;
  bytesPerEvent: number;
  kinds: StateKind[];
}

/** "p:{t:account:a-1}:hll:ip.distinct:3600000:123" -> "{entity}:hll:ip.distinct:<n>:<n>" (ids and numbers folded). */
export function keyKind(key: string, prefix: string): string {
  const rest = key.startsWith(`${prefix}:`) ? key.slice(prefix.length + 1) : key;
  const tag = /^\{[^:}]*:([^:}]*):[^}]*\}/.exec(rest);
  const head = tag ? `{${tag[1]}}` : rest.split(':')[0];
  const tail = (tag ? rest.slice(tag[0].length) : rest.slice(head.length))
    // review-analysis keeps a tenant's entities under one tag: ":<type>:<id>:<suffix>"
    .replace(/^:(event|account|seller|product|listing|order|review|text):[^:]+/, ':$1:<id>')
    .replace(/:alert:[^:]+/, ':alert:<id>')
    .replace(/:dd:.*/, ':dd:<event>')
    .replace(/:fired:.*/, ':fired:<claim>')
    .replace(/:\d+(?=:|$)/g, ':<n>');
  return `${head}${tail}`;
}

export async function measureState(redisUrl: string, prefix: string, events: number, deleteAfter = false): Promise<StateSummary> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    const kinds = new Map<string, StateKind>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
      const sizes = (await pipeline.exec()) ?? [];
      if (deleteAfter) await redis.unlink(...keys);
      keys.forEach((key, i) => {
        const kind = keyKind(key, prefix);
        const entry = kinds.get(kind) ?? { kind, keys: 0, bytes: 0 };
        entry.keys += 1;
        entry.bytes += Number(sizes[i]?.[1] ?? 0);
        kinds.set(kind, entry);
      });
    } while (cursor !== '0');
    const all = [...kinds.values()].sort((a, b) => b.bytes - a.bytes);
    const keys = all.reduce((s, k) => s + k.keys, 0);
    const bytes = all.reduce((s, k) => s + k.bytes, 0);
    return { prefix, events, keys, bytes, keysPerEvent: keys / events, bytesPerEvent: bytes / events, kinds: all };
  } finally {
    redis.disconnect();
  }
}

/** Waits until every consumer group of the run (`<prefix>.*`) has consumed every topic of the run, twice in a row. */
export async function waitDrained(brokers: string[], prefix: string, timeoutMs = 300_000): Promise<void> {
  const admin = new Kafka({ clientId: 'vigil-state-size', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    let zeroes = 0;
    while (zeroes < 2) {
      if (Date.now() > deadline) throw new Error(`consumer lag of ${prefix}.* not drained within ${timeoutMs / 1000} s`);
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${prefix}.`));
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
      zeroes = groups.length > 0 && (await totalLag(admin, groups, topics)) === 0 ? zeroes + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    await admin.disconnect();
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Markdown: per key kind, keys and bytes per event of the reference and of this tree. */
export function renderReport(ref: StateSummary, now: StateSummary, meta: string[]): string {
  const kinds = [...new Set([...now.kinds, ...ref.kinds].map((k) => k.kind))];
  const byKind = (s: StateSummary, kind: string) => s.kinds.find((k) => k.kind === kind) ?? { kind, keys: 0, bytes: 0 };
  kinds.sort((a, b) => Math.max(byKind(ref, b).bytes, byKind(now, b).bytes) - Math.max(byKind(ref, a).bytes, byKind(now, a).bytes));
  // The largest kinds, the rest summed in one row (a kind the folding misses must not list every key).
  const SHOWN = 40;
  const others = kinds.slice(SHOWN);
  const sum = (s: StateSummary) => others.reduce((acc, kind) => ({ keys: acc.keys + byKind(s, kind).keys, bytes: acc.bytes + byKind(s, kind).bytes }), { keys: 0, bytes: 0 });
  const [otherRef, otherNow] = [sum(ref), sum(now)];
  const othersRow = others.length
    ? [`| ${others.length} other kinds | ${fmt(otherRef.keys / ref.events, 2)} | ${fmt(otherRef.bytes / ref.events)} | ${fmt(otherNow.keys / now.events, 2)} | ${fmt(otherNow.bytes / now.events)} |`]
    : [];
  const rows = kinds.slice(0, SHOWN).map((kind) => {
    const [r, n] = [byKind(ref, kind), byKind(now, kind)];
    return `| \`${kind}\` | ${fmt(r.keys / ref.events, 2)} | ${fmt(r.bytes / ref.events)} | ${fmt(n.keys / now.events, 2)} | ${fmt(n.bytes / now.events)} |`;
  });
  const target = (name: string, value: number, limit: number, unit: string) =>
    `| ${name} | ${fmt(value, unit === 'keys' ? 2 : 0)} ${unit} | <= ${fmt(limit, unit === 'keys' ? 0 : 0)} ${unit} | ${value <= limit ? 'met' : '**missed**'} |`;
  return [
    '# Redis state per ingested event',
    '',
    ...meta.map((m) => `- ${m}`),
    `- ${fmt(now.events)} events; reference ${ref.keys.toLocaleString('en-US')} keys / ${fmt(ref.bytes / 1024 / 1024, 1)} MB, this tree ${now.keys.toLocaleString('en-US')} keys / ${fmt(now.bytes / 1024 / 1024, 1)} MB (MEMORY USAGE of every key under the run's prefix, so other users of the Redis do not count).`,
    '',
    '## Targets (issue 13)',
    '',
    '| Target | Measured | Limit | Met |',
    '|---|---|---|---|',
    target('Redis memory per event', now.bytesPerEvent, 1536, 'bytes'),
    target('Redis keys per event', now.keysPerEvent, 8, 'keys'),
    '',
    '## By key kind',
    '',
    '| key kind (entity type, suffix) | reference keys/event | reference bytes/event | keys/event | bytes/event |',
    '|---|---|---|---|---|',
    `| **all** | **${fmt(ref.keysPerEvent, 2)}** | **${fmt(ref.bytesPerEvent)}** | **${fmt(now.keysPerEvent, 2)}** | **${fmt(now.bytesPerEvent)}** |`,
    ...rows,
    ...othersRow,
    '',
  ].join('\n');
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const all = (name: string) => process.argv.flatMap((a, i) => (a === `--${name}` ? [process.argv[i + 1]] : []));
  const fail = (message: string, code = 1) => {
    console.error(message);
    process.exit(code);
  };
  const command = process.argv[2];
  if (command === 'measure') {
    const [redisUrl, prefix, events, out] = [arg('redis'), arg('prefix'), Number(arg('events')), arg('json')];
    if (!redisUrl || !prefix || !(events > 0) || !out) fail('usage: redis-state.ts measure --redis URL --prefix P --events N --json FILE [--delete]', 2);
    measureState(redisUrl!, prefix!, events, process.argv.includes('--delete')).then(
      (summary) => writeFileSync(out!, JSON.stringify(summary, null, 2)),
      (error) => fail((error as Error).message),
    );
  } else if (command === 'drain') {
    const [brokers, prefix] = [arg('brokers'), arg('prefix')];
    if (!brokers || !prefix) fail('usage: redis-state.ts drain --brokers B --prefix P', 2);
    waitDrained(brokers!.split(','), prefix!).catch((error) => fail((error as Error).message));
  } else if (command === 'report') {
    const [ref, now, out] = [arg('ref'), arg('now'), arg('out')];
    if (!ref || !now || !out) fail('usage: redis-state.ts report --ref A.json --now B.json --out report.md [--meta LINE]...', 2);
    const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as StateSummary;
    writeFileSync(out!, renderReport(read(ref!), read(now!), all('meta')));
  } else {
    fail('usage: redis-state.ts measure|report ...', 2);
  }
}
