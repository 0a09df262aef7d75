import { Admin } from 'kafkajs';
import { consumerGroupLags } from '@vigil/kafka';

/** Total consumer lag (end offset - committed offset) of the given groups over the given topics. */
export async function totalLag(admin: Admin, groups: readonly string[], topics: readonly string[]): Promise<number> {
  // Nothing committed yet counts 0; the caller also waits for the consumed counters to settle.
  return (await consumerGroupLags(admin, groups, topics)).reduce((sum, g) => sum + g.lag, 0);
}
