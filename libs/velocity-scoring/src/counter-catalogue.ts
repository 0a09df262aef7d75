import { CounterKind, CounterUpdate, formatDuration, parseDuration } from '@vigil/counters';

/** Entity types velocity keeps counters and list entries for. */
export const ENTITY_TYPES = ['account', 'seller', 'device', 'ip', 'card', 'address', 'promo_code', 'email_domain', 'wallet'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

interface CounterDef {
  entity: EntityType;
  counter: string;
  kind: CounterKind;
  /** The first window is also the baseline period when `baseline` is set. */
  windows: string[];
  baseline?: boolean;
}

/*
 * Every counter velocity maintains, and in which windows. Rules may only reference these (the
 * rules file is validated against KNOWN_METRICS), so a typo is refused instead of never firing.
 * Windows are chosen per counter rather than "all five everywhere": each window costs a hash and
 * a read in the script.
 */
export const COUNTERS = {
  accountOrders: { entity: 'account', counter: 'order.count', kind: 'count', windows: ['1h', '10m', '24h', '7d'], baseline: true },
  accountOrderAmount: { entity: 'account', counter: 'order.amount', kind: 'sum', windows: ['1h', '24h'] },
  accountIps: { entity: 'account', counter: 'ip.distinct', kind: 'distinct', windows: ['1h', '24h'] },
  accountDevices: { entity: 'account', counter: 'device.distinct', kind: 'distinct', windows: ['1h', '24h'] },
  accountCards: { entity: 'account', counter: 'card.distinct', kind: 'distinct', windows: ['1h', '24h'] },
  accountFailedPayments: { entity: 'account', counter: 'payment.failed', kind: 'count', windows: ['10m', '1h'] },
  accountFailedLogins: { entity: 'account', counter: 'login.failed', kind: 'count', windows: ['10m', '1h'] },
  accountPayoutChanges: { entity: 'account', counter: 'payout.change.count', kind: 'count', windows: ['24h'] },
  accountReturns: { entity: 'account', counter: 'return.count', kind: 'count', windows: ['7d'] },
  accountRefunds: { entity: 'account', counter: 'refund.count', kind: 'count', windows: ['7d'] },
  accountChargebacks: { entity: 'account', counter: 'chargeback.count', kind: 'count', windows: ['7d'] },
  accountOrders7d: { entity: 'account', counter: 'order.count', kind: 'count', windows: ['7d'] },
  deviceOrders: { entity: 'device', counter: 'order.count', kind: 'count', windows: ['1h', '24h'] },
  deviceAccounts: { entity: 'device', counter: 'accounts.distinct', kind: 'distinct', windows: ['24h', '7d'] },
  deviceSignups: { entity: 'device', counter: 'signup.count', kind: 'count', windows: ['24h'] },
  ipOrders: { entity: 'ip', counter: 'order.count', kind: 'count', windows: ['1h', '24h'] },
  ipAccounts: { entity: 'ip', counter: 'accounts.distinct', kind: 'distinct', windows: ['1h', '24h'] },
  ipSignups: { entity: 'ip', counter: 'signup.count', kind: 'count', windows: ['1h'] },
  ipFailedLogins: { entity: 'ip', counter: 'login.failed', kind: 'count', windows: ['10m'] },
  cardOrders: { entity: 'card', counter: 'order.count', kind: 'count', windows: ['10m', '24h'] },
  cardAmount: { entity: 'card', counter: 'order.amount', kind: 'sum', windows: ['24h'] },
  cardAccounts: { entity: 'card', counter: 'accounts.distinct', kind: 'distinct', windows: ['24h', '7d'] },
  cardFailedPayments: { entity: 'card', counter: 'payment.failed', kind: 'count', windows: ['10m', '1h'] },
  addressOrders: { entity: 'address', counter: 'order.count', kind: 'count', windows: ['24h'] },
  addressAccounts: { entity: 'address', counter: 'accounts.distinct', kind: 'distinct', windows: ['7d'] },
  promoAccounts: { entity: 'promo_code', counter: 'accounts.distinct', kind: 'distinct', windows: ['24h', '7d'] },
  walletTransfers: { entity: 'wallet', counter: 'transfer.count', kind: 'count', windows: ['24h'] },
} as const satisfies Record<string, CounterDef>;

export type CounterName = keyof typeof COUNTERS;

/** The counter update for one catalogue entry (value: increment, amount or distinct member). */
export function update(name: CounterName, value: number | string = 1): CounterUpdate {
  const def: CounterDef = COUNTERS[name];
  return {
    counter: def.counter,
    kind: def.kind,
    windowsMs: def.windows.map(parseDuration),
    value,
    baseline: def.baseline === true,
  };
}

/** Metrics computed from facts and the event itself (not windowed counters). */
export const FACT_METRICS = [
  'account.age_min',
  'account.since_credentials_change_min',
  'account.since_payout_change_min',
  'account.devices.new',
  'account.devices.size',
  'account.ips.new',
  'account.ips.size',
  'account.countries.size',
  'wallet.destinations.new',
  'wallet.drain_ratio',
  'order.amount',
  'order.ip_shipping_mismatch',
  'order.card_shipping_mismatch',
  'order.currency_mismatch',
  'payment.failed',
] as const;

export function metricName(entity: string, counter: string, windowLabel: string): string {
  return `${entity}.${counter}@${windowLabel}`;
}

export const KNOWN_METRICS: ReadonlySet<string> = new Set([
  ...FACT_METRICS,
  ...Object.values(COUNTERS).flatMap((def: CounterDef) => [
    ...def.windows.map((w) => metricName(def.entity, def.counter, w)),
    ...(def.baseline ? [`${def.entity}.${def.counter}.z`] : []),
  ]),
]);

export const MAX_WINDOW_MS = Math.max(...Object.values(COUNTERS).flatMap((def: CounterDef) => def.windows.map(parseDuration)));

/** Window labels as the catalogue writes them ("24h", not "1d"), which is how rules name them. */
const WINDOW_LABELS = new Map<number, string>(
  Object.values(COUNTERS).flatMap((def: CounterDef) => def.windows.map((w) => [parseDuration(w), w] as [number, string])),
);

export function windowLabel(windowMs: number): string {
  return WINDOW_LABELS.get(windowMs) ?? formatDuration(windowMs);
}
