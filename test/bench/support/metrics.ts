/** Sum of every sample of a Prometheus metric (all label sets), optionally filtered by a label. */
export function sumMetric(text: string, name: string, labelFilter?: (labels: string) => boolean): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+([-+\d.eE]+|NaN)/.exec(line);
    if (!match || match[1] !== name) continue;
    if (labelFilter && !labelFilter(match[3] ?? '')) continue;
    const value = Number(match[4]);
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** Cumulative buckets (upper bound in seconds -> count), sum and count of a Prometheus histogram, all label sets added. */
export interface HistogramSnapshot {
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

export function histogramSnapshot(text: string, name: string): HistogramSnapshot {
  const buckets = new Map<number, number>();
  const bucketLine = new RegExp(`^${name}_bucket\\{([^}]*)\\}\\s+([-+\\d.eE]+)`);
  for (const line of text.split('\n')) {
    const match = bucketLine.exec(line);
    if (!match) continue;
    const le = /le="([^"]+)"/.exec(match[1])?.[1];
    if (!le) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
  }
  return { buckets, sum: sumMetric(text, `${name}_sum`), count: sumMetric(text, `${name}_count`) };
}

/** What a histogram recorded between two snapshots: count, mean and percentiles as bucket upper bounds (ms). */
export interface HistogramDelta {
  count: number;
  meanMs?: number;
  p50Ms?: number;
  p99Ms?: number;
}

export function histogramDelta(before: HistogramSnapshot, after: HistogramSnapshot): HistogramDelta {
  const count = after.count - before.count;
  if (count <= 0) return { count: 0 };
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  const at = (q: number) => {
    for (const bound of bounds) {
      if ((after.buckets.get(bound) ?? 0) - (before.buckets.get(bound) ?? 0) >= q * count) return bound * 1000;
    }
    return Infinity;
  };
  return { count, meanMs: ((after.sum - before.sum) / count) * 1000, p50Ms: at(0.5), p99Ms: at(0.99) };
}

export const ALIGNMENT_DELAY = 'vigil_stream_alignment_delay_seconds';
export const SEQUENCER_WAIT = 'vigil_stream_wait_seconds';
export const FETCH_DELAY = 'vigil_kafka_fetch_delay_seconds';
export const RELEASE_DURATION = 'vigil_stream_release_duration_seconds';
export const REDIS_BATCH_DURATION = 'vigil_redis_batch_duration_seconds';
export const PUBLISH_DURATION = 'vigil_kafka_publish_duration_seconds';

export interface ServiceCounters {
  consumed: number;
  redisRoundTrips: number;
  /** Wall time events waited for the low watermark in the event-time consumers (velocity, review-analysis). */
  alignment: HistogramSnapshot;
  /** Total wall time from fetch to release (alignment plus queueing behind the handler). */
  wait: HistogramSnapshot;
  /** Producer timestamp to arrival in the consumer, every consumer of the service. */
  fetch: HistogramSnapshot;
  /** One released chunk's processing and commit (event-time consumers): the ordered pass's unit of work. */
  release: HistogramSnapshot;
  /** One Redis pipeline round trip (execBatch). */
  redisBatch: HistogramSnapshot;
  /** publish() to the broker's acknowledgement (linger included). */
  publish: HistogramSnapshot;
  /** Time in garbage collection, all kinds (prom-client's default metrics, from V8's GC events). */
  gcSeconds: number;
  /** The process's CPU time, user + system (prom-client's default metrics). */
  cpuSeconds: number;
}

export async function scrapeCounters(url: string): Promise<ServiceCounters> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`${url}/metrics answered ${response.status}`);
  const text = await response.text();
  return {
    consumed: sumMetric(text, 'vigil_kafka_consumer_messages_total'),
    redisRoundTrips: sumMetric(text, 'vigil_redis_round_trips_total'),
    alignment: histogramSnapshot(text, ALIGNMENT_DELAY),
    wait: histogramSnapshot(text, SEQUENCER_WAIT),
    fetch: histogramSnapshot(text, FETCH_DELAY),
    release: histogramSnapshot(text, RELEASE_DURATION),
    redisBatch: histogramSnapshot(text, REDIS_BATCH_DURATION),
    publish: histogramSnapshot(text, PUBLISH_DURATION),
    gcSeconds: sumMetric(text, 'nodejs_gc_duration_seconds_sum'),
    cpuSeconds: sumMetric(text, 'process_cpu_seconds_total'),
  };
}
