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

export interface ServiceCounters {
  consumed: number;
  redisRoundTrips: number;
}

export async function scrapeCounters(url: string): Promise<ServiceCounters> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`${url}/metrics answered ${response.status}`);
  const text = await response.text();
  return {
    consumed: sumMetric(text, 'vigil_kafka_consumer_messages_total'),
    redisRoundTrips: sumMetric(text, 'vigil_redis_round_trips_total'),
  };
}
