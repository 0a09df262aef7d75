import { Counter, CounterConfiguration, Gauge, GaugeConfiguration, Histogram, HistogramConfiguration, register } from 'prom-client';

/*
 * Metrics live in prom-client's default registry, which /metrics serves. Libraries declare
 * their metrics at module load; a second declaration of the same name (two Nest apps in one
 * test process, say) returns the first instead of throwing.
 */
function getOrCreate<M>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

export function counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  return getOrCreate(config.name, () => new Counter(config));
}

export function gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  return getOrCreate(config.name, () => new Gauge(config));
}

export function histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
  return getOrCreate(config.name, () => new Histogram(config));
}

/** Latency buckets in seconds, from 0.5 ms to 5 s: Vigil's hot paths are single-digit ms. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Batch-size buckets (messages). */
export const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
