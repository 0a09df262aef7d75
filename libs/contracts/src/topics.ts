/** Event families: each has its own topic so consumers read only what they need. */
export const EVENT_FAMILIES = ['accounts', 'listings', 'orders', 'reviews', 'wallets'] as const;
export type EventFamily = (typeof EVENT_FAMILIES)[number];

/** Every topic Vigil uses, by role. Names are prefixed per environment (VIGIL_TOPIC_PREFIX). */
export interface TopicNames {
  /** Raw events the platform produces directly to Kafka, validated by ingestion. */
  intake: string;
  /** Validated events, one topic per family. */
  events: Record<EventFamily, string>;
  /** Messages no consumer could process, with the reason (see DeadLetterRecord). */
  deadLetter: string;
  /** Rule and detector hits (FraudSignal). */
  signals: string;
  /** Scored, deduplicated alerts for the platform (FraudAlert). */
  alerts: string;
  /** Analysts' decisions on alerts (AlertDecision). */
  decisions: string;
  /** Tenants' changes of velocity rules (RuleChange of @vigil/rules), compacted by `<tenant>:<rule>`. */
  rules: string;
}

export function topicNames(prefix = ''): TopicNames {
  const p = prefix ? `${prefix}.` : '';
  return {
    intake: `${p}events.intake`,
    events: {
      accounts: `${p}events.accounts`,
      listings: `${p}events.listings`,
      orders: `${p}events.orders`,
      reviews: `${p}events.reviews`,
      wallets: `${p}events.wallets`,
    },
    deadLetter: `${p}events.deadletter`,
    signals: `${p}fraud.signals`,
    alerts: `${p}fraud.alerts`,
    decisions: `${p}fraud.decisions`,
    rules: `${p}fraud.rules`,
  };
}

/** Partition counts: enough for a few instances per consumer group on a small cluster. */
/**
 * Dead letters hold raw payloads (personal data included): kept 14 days, long enough to fix and
 * replay after a weekend, not forever. Their records are at most 256 KiB (libs/kafka dead-letter.ts).
 */
export const DEAD_LETTER_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

export function topicSpecs(prefix = '', partitions = 6): { topic: string; partitions: number; config?: Record<string, string> }[] {
  const t = topicNames(prefix);
  return [
    t.intake,
    ...Object.values(t.events),
    t.deadLetter,
    t.signals,
    t.alerts,
    t.decisions,
  ]
    .map((topic): { topic: string; partitions: number; config?: Record<string, string> } =>
      topic === t.deadLetter ? { topic, partitions: 1, config: { 'retention.ms': String(DEAD_LETTER_RETENTION_MS) } } : { topic, partitions },
    )
    // every velocity instance reads the whole topic at start: compacted, one record per tenant and rule
    .concat([{ topic: t.rules, partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
}
