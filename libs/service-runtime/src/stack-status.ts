import IORedis from 'ioredis';
import { consumerGroupLags, createKafka, GroupLag, KafkaSecurity } from '@vigil/kafka';

/*
 * `npm run status` (deploy/local/status.sh): one line per service, the broker, Redis, the lag of
 * every Vigil consumer group and the alerts of the last minute. Read-only: it asks each service's
 * /health, the broker's admin API (committed vs end offsets, so lag shows also for a group whose
 * members are down) and Redis PING. Every probe has a deadline, so a dead part shows as down
 * instead of hanging the command.
 */

export interface StackStatusOptions {
  services: { name: string; port: number }[];
  brokers: string[];
  kafkaSecurity?: KafkaSecurity;
  redisUrl: string;
  /** VIGIL_TOPIC_PREFIX of the services: their groups are `<prefix>.vigil-*` (or `vigil-*`). */
  topicPrefix: string;
  /** The alerting dashboard token (an all-tenant user), for the per-minute alert counts. */
  dashboardToken?: string;
  host?: string;
  timeoutMs?: number;
}

export interface ServiceStatus {
  name: string;
  port: number;
  up: boolean;
  /** Why it is down, or what /health says about its parts when it is up. */
  detail: string;
}

export interface StackStatus {
  services: ServiceStatus[];
  kafka: { up: boolean; detail: string };
  redis: { up: boolean; detail: string };
  lags: GroupLag[];
  alerts: string;
  /** Every service, the broker and Redis up. */
  allUp: boolean;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function deadline<T>(what: string, work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)),
  );
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** /health's terminus body as one line: "kafka up, redis up, consumers: vigil-velocity running". */
export function describeHealth(body: unknown): string {
  const parts = {
    ...((body as { info?: object })?.info ?? {}),
    ...((body as { error?: object })?.error ?? {}),
  } as Record<string, Record<string, unknown>>;
  return Object.entries(parts)
    .map(([name, part]) => {
      const { status, ...rest } = part ?? {};
      const extra = Object.entries(rest)
        .map(([k, v]) => (typeof v === 'string' ? `${k} ${v}` : ''))
        .filter(Boolean);
      return extra.length ? `${name}: ${extra.join(', ')}` : `${name} ${String(status)}`;
    })
    .join(', ');
}

async function serviceStatus(
  host: string,
  name: string,
  port: number,
  timeoutMs: number,
): Promise<ServiceStatus> {
  try {
    const res = await fetch(`http://${host}:${port}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body: unknown = await res.json().catch(() => undefined);
    const detail = describeHealth(body) || `HTTP ${res.status}`;
    return { name, port, up: res.ok, detail: res.ok ? detail : `unhealthy (HTTP ${res.status}): ${detail}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      name,
      port,
      up: false,
      detail: cause === 'ECONNREFUSED' ? 'not running (connection refused)' : errorText(error),
    };
  }
}

async function alertCounts(
  host: string,
  alerting: ServiceStatus | undefined,
  token: string | undefined,
  timeoutMs: number,
): Promise<string> {
  if (!alerting?.up) return 'unknown (alerting is down)';
  const base = `http://${host}:${alerting.port}`;
  if (token) {
    // The dashboard's per-minute counts (every instance tallies all instances' alerts).
    const res = await fetch(`${base}/v1/stats`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    }).catch(() => undefined);
    if (res?.ok) {
      const { rates } = (await res.json()) as { rates: { minute: string; alerts: number }[] };
      if (rates.length >= 2) {
        const [last, now] = rates.slice(-2);
        return `${last.alerts} in the last full minute (${last.minute.slice(11, 16)} UTC), ${now.alerts} so far in this one`;
      }
    }
  }
  // Without a token: the alerting instance's counter since it started.
  const metrics = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) }).then((r) =>
    r.text(),
  );
  const created = metrics
    .split('\n')
    .filter((l) => l.startsWith('vigil_alerting_alerts_total{') && l.includes('action="created"'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return `${created} created since this alerting instance started (set ALERTING_DASHBOARD_TOKEN for per-minute counts)`;
}

export async function stackStatus(options: StackStatusOptions): Promise<StackStatus> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 5000;
  const services = await Promise.all(
    options.services.map((s) => serviceStatus(host, s.name, s.port, timeoutMs)),
  );

  const kafka = { up: false, detail: '' };
  let lags: GroupLag[] = [];
  const admin = createKafka(options.brokers, 'vigil-status', { quiet: true, security: options.kafkaSecurity }).admin();
  try {
    await deadline('kafka', admin.connect(), timeoutMs);
    const cluster = await deadline('kafka', admin.describeCluster(), timeoutMs);
    kafka.up = true;
    kafka.detail = `${cluster.brokers.length} broker(s) at ${options.brokers.join(',')}`;
    const ours = new RegExp(
      `^${options.topicPrefix ? `${options.topicPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.` : ''}vigil-`,
    );
    const { groups } = await deadline('kafka', admin.listGroups(), timeoutMs);
    const ids = groups
      .map((g) => g.groupId)
      .filter((id) => ours.test(id))
      .sort();
    lags = await deadline('kafka', consumerGroupLags(admin, ids), timeoutMs);
  } catch (error) {
    kafka.detail = kafka.up
      ? `up, but reading the groups failed: ${errorText(error)}`
      : `down at ${options.brokers.join(',')}: ${errorText(error)}`;
  } finally {
    void admin.disconnect().catch(() => undefined);
  }

  const redis = { up: false, detail: '' };
  const client = new IORedis(options.redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError = '';
  client.on('error', (error: Error) => (lastError = error.message)); // reported below
  try {
    await deadline('redis', client.connect(), timeoutMs).catch((error) => {
      throw new Error(lastError || errorText(error));
    });
    const pong = await deadline('redis', client.ping(), timeoutMs);
    redis.up = pong === 'PONG';
    redis.detail = `${new URL(options.redisUrl).host} (PING ${pong})`;
  } catch (error) {
    redis.detail = `down at ${new URL(options.redisUrl).host}: ${errorText(error)}`;
  } finally {
    client.disconnect();
  }

  const alerts = await alertCounts(
    host,
    services.find((s) => s.name === 'alerting'),
    options.dashboardToken,
    timeoutMs,
  ).catch((error) => `unknown (${errorText(error)})`);
  return { services, kafka, redis, lags, alerts, allUp: services.every((s) => s.up) && kafka.up && redis.up };
}

/** The report `npm run status` prints. */
export function formatStackStatus(status: StackStatus): string {
  const mark = (up: boolean) => (up ? 'up  ' : 'DOWN');
  const width = Math.max(9, ...status.services.map((s) => s.name.length));
  const lines = status.services.map((s) => `${s.name.padEnd(width)} :${s.port}  ${mark(s.up)}  ${s.detail}`);
  lines.push(`${'kafka'.padEnd(width)}        ${mark(status.kafka.up)}  ${status.kafka.detail}`);
  lines.push(`${'redis'.padEnd(width)}        ${mark(status.redis.up)}  ${status.redis.detail}`);
  if (status.kafka.up) {
    lines.push(
      status.lags.length
        ? 'consumer lag (messages behind the log end):'
        : 'consumer lag: no Vigil consumer group on the broker yet',
    );
    const groupWidth = Math.max(0, ...status.lags.map((g) => g.groupId.length));
    for (const g of status.lags) {
      const topics = [...new Set(g.partitions.filter((p) => p.lag > 0).map((p) => p.topic))];
      lines.push(
        `  ${g.groupId.padEnd(groupWidth)} ${String(g.lag).padStart(8)}${topics.length ? `  (${topics.join(', ')})` : ''}`,
      );
    }
  }
  lines.push(`alerts: ${status.alerts}`);
  return lines.join('\n');
}
