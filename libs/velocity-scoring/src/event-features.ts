import { baselineZScore, EntityEventOps, EntityEventResult, FactOp, CounterUpdate, isEvaluated } from '@vigil/counters';
import { eventTimeMs, VigilEvent, WalletTransfer } from '@vigil/contracts';
import { counter } from '@vigil/observability';
import { EntityType, metricName, update, windowLabel } from './counter-catalogue';

/** What one event does to one entity (before the tenant, event id and time are attached). */
export interface Touch {
  type: EntityType;
  id: string;
  updates: CounterUpdate[];
  facts?: FactOp[];
}

const SET_LIMIT = 50; // first-seen devices / IPs / countries per account
const DESTINATION_LIMIT = 1000; // destinations per wallet: beyond it, a destination counts as new
const MIN = 60_000;
/** Relative slack for float noise in amounts (0.1 + 0.2 sent for a balance of 0.3 is still the whole balance). */
const BALANCE_EPSILON = 1e-9;

const inconsistentTransfers = counter({
  name: 'vigil_velocity_inconsistent_wallet_transfers_total',
  help: 'wallet.transfer events whose amount exceeds balanceBefore (inconsistent data: no drain ratio computed), redeliveries included',
  labelNames: ['kind'],
});

/*
 * Currency of the shipping country, for the "purchase in a non-local currency" signal. Only
 * countries whose currency is unambiguous are listed; unknown countries never count as a mismatch.
 */
const LOCAL_CURRENCY: Record<string, string> = {
  AT: 'EUR', BE: 'EUR', DE: 'EUR', ES: 'EUR', FI: 'EUR', FR: 'EUR', GR: 'EUR', IE: 'EUR', IT: 'EUR', NL: 'EUR', PT: 'EUR',
  SK: 'EUR', SI: 'EUR', EE: 'EUR', LV: 'EUR', LT: 'EUR', LU: 'EUR', HR: 'EUR', GB: 'GBP', US: 'USD', PL: 'PLN', CZ: 'CZK',
  SE: 'SEK', DK: 'DKK', NO: 'NOK', CH: 'CHF', HU: 'HUF', RO: 'RON', CA: 'CAD', AU: 'AUD', JP: 'JPY', IN: 'INR', BR: 'BRL',
};

const flag = (condition: boolean) => (condition ? 1 : 0);

/** The entities an event touches and what it does to each (the counter catalogue in action). */
export function planEvent(event: VigilEvent): Touch[] {
  const t = eventTimeMs(event);
  switch (event.type) {
    case 'account.created': {
      const d = event.data;
      return [
        {
          type: 'account',
          id: d.accountId,
          updates: [],
          facts: [
            { op: 'setIfAbsent', field: 'createdAt', value: t },
            { op: 'addToSet', set: 'devices', member: d.deviceId, limit: SET_LIMIT },
            { op: 'addToSet', set: 'ips', member: d.signupIp, limit: SET_LIMIT },
            { op: 'addToSet', set: 'countries', member: d.country, limit: SET_LIMIT },
          ],
        },
        { type: 'device', id: d.deviceId, updates: [update('deviceSignups'), update('deviceAccounts', d.accountId)] },
        { type: 'ip', id: d.signupIp, updates: [update('ipSignups'), update('ipAccounts', d.accountId)] },
        { type: 'email_domain', id: d.emailDomain.toLowerCase(), updates: [] },
      ];
    }
    case 'account.login': {
      const d = event.data;
      const failed = d.success ? 0 : 1; // a zero increment still reads the window back
      return [
        {
          type: 'account',
          id: d.accountId,
          updates: [update('accountFailedLogins', failed), update('accountIps', d.ip), update('accountDevices', d.deviceId)],
          facts: [
            { op: 'addToSet', set: 'devices', member: d.deviceId, limit: SET_LIMIT },
            { op: 'addToSet', set: 'ips', member: d.ip, limit: SET_LIMIT },
            ...(d.ipCountry ? [{ op: 'addToSet' as const, set: 'countries', member: d.ipCountry, limit: SET_LIMIT }] : []),
          ],
        },
        { type: 'device', id: d.deviceId, updates: [update('deviceAccounts', d.accountId)] },
        { type: 'ip', id: d.ip, updates: [update('ipAccounts', d.accountId), update('ipFailedLogins', failed)] },
      ];
    }
    case 'account.credentials_changed':
      return [{ type: 'account', id: event.data.accountId, updates: [], facts: [{ op: 'max', field: 'credentialsChangedAt', value: t }] }];
    case 'account.payout_changed':
      return [
        {
          type: 'account',
          id: event.data.accountId,
          updates: [update('accountPayoutChanges')],
          facts: [{ op: 'max', field: 'payoutChangedAt', value: t }],
        },
      ];
    case 'order.placed': {
      const d = event.data;
      const card = d.paymentInstrument.fingerprint;
      const touches: Touch[] = [
        {
          type: 'account',
          id: d.buyerId,
          updates: [
            update('accountOrders'),
            update('accountOrderAmount', d.amount.amount),
            update('accountIps', d.ip),
            update('accountDevices', d.deviceId),
            update('accountCards', card),
          ],
          facts: [
            { op: 'addToSet', set: 'devices', member: d.deviceId, limit: SET_LIMIT },
            { op: 'addToSet', set: 'ips', member: d.ip, limit: SET_LIMIT },
            { op: 'addToSet', set: 'countries', member: d.shippingAddress.country, limit: SET_LIMIT },
          ],
        },
        { type: 'seller', id: d.sellerId, updates: [] },
        { type: 'device', id: d.deviceId, updates: [update('deviceOrders'), update('deviceAccounts', d.buyerId)] },
        { type: 'ip', id: d.ip, updates: [update('ipOrders'), update('ipAccounts', d.buyerId)] },
        {
          type: 'card',
          id: card,
          updates: [update('cardOrders'), update('cardAmount', d.amount.amount), update('cardAccounts', d.buyerId)],
        },
        { type: 'address', id: d.shippingAddress.fingerprint, updates: [update('addressOrders'), update('addressAccounts', d.buyerId)] },
      ];
      if (d.promoCode) touches.push({ type: 'promo_code', id: d.promoCode.toUpperCase(), updates: [update('promoAccounts', d.buyerId)] });
      return touches;
    }
    case 'payment.attempted': {
      const d = event.data;
      const failed = d.success ? 0 : 1;
      const card = d.paymentInstrument.fingerprint;
      return [
        { type: 'account', id: d.accountId, updates: [update('accountFailedPayments', failed), update('accountCards', card)] },
        { type: 'card', id: card, updates: [update('cardFailedPayments', failed), update('cardAccounts', d.accountId)] },
      ];
    }
    case 'order.returned':
      return [{ type: 'account', id: event.data.buyerId, updates: [update('accountReturns'), update('accountOrders7d', 0)] }];
    case 'order.refunded':
      return [{ type: 'account', id: event.data.buyerId, updates: [update('accountRefunds'), update('accountOrders7d', 0)] }];
    case 'chargeback.opened':
      return [{ type: 'account', id: event.data.buyerId, updates: [update('accountChargebacks'), update('accountOrders7d', 0)] }];
    case 'wallet.transfer': {
      const d = event.data;
      return [
        {
          type: 'wallet',
          id: d.fromWallet,
          updates: [update('walletTransfers')],
          facts: [{ op: 'addToSet', set: 'destinations', member: d.toWallet, limit: DESTINATION_LIMIT }],
        },
        { type: 'wallet', id: d.toWallet, updates: [] },
        ...(d.accountId ? [{ type: 'account' as const, id: d.accountId, updates: [] }] : []),
      ];
    }
    default:
      return [];
  }
}

/** `late`: the stream judged the event later than the allowed lateness (order-independent state only). */
export function toOps(event: VigilEvent, touches: Touch[], late = false): EntityEventOps[] {
  const occurredAtMs = eventTimeMs(event);
  return touches.map((touch) => ({
    entity: { tenantId: event.tenantId, type: touch.type, id: touch.id },
    eventId: event.id,
    occurredAtMs,
    updates: touch.updates,
    facts: touch.facts,
    ...(late ? { late } : {}),
  }));
}

function minutesSince(fact: string | undefined, t: number): number | undefined {
  if (fact === undefined) return undefined;
  return Math.max(0, (t - Number(fact)) / MIN);
}

/**
 * The metric values of one event: counters after the update ("device.accounts.distinct@24h"),
 * baselines (".z"), facts and attributes of the event. Late entity updates contribute nothing,
 * so rules that need them stay silent. The first touch of a type wins (the from-wallet).
 * Pure apart from counting inconsistent wallet transfers (amount above balanceBefore: no drain ratio).
 */
export function eventMetrics(event: VigilEvent, touches: Touch[], results: EntityEventResult[]): Map<string, number> {
  const metrics = new Map<string, number>();
  const t = eventTimeMs(event);
  const put = (name: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value) && !metrics.has(name)) metrics.set(name, value);
  };
  touches.forEach((touch, i) => {
    const result = results[i];
    if (!isEvaluated(result.status)) return;
    for (const [counterName, byWindow] of Object.entries(result.counters)) {
      for (const [windowMs, value] of Object.entries(byWindow)) put(metricName(touch.type, counterName, windowLabel(Number(windowMs))), value);
    }
    for (const [counterName, baseline] of Object.entries(result.baselines)) {
      put(`${touch.type}.${counterName}.z`, baselineZScore(baseline, 3) ?? undefined);
    }
    for (const [set, entry] of Object.entries(result.sets)) {
      put(`${touch.type}.${set}.new`, flag(entry.isNew));
      put(`${touch.type}.${set}.size`, entry.size);
    }
    if (touch.type === 'account') {
      put('account.age_min', minutesSince(result.facts['createdAt'], t));
      put('account.since_credentials_change_min', minutesSince(result.facts['credentialsChangedAt'], t));
      put('account.since_payout_change_min', minutesSince(result.facts['payoutChangedAt'], t));
    }
  });
  if (event.type === 'order.placed') {
    const d = event.data;
    put('order.amount', d.amount.amount);
    if (d.ipCountry) put('order.ip_shipping_mismatch', flag(d.ipCountry !== d.shippingAddress.country));
    if (d.paymentInstrument.country) put('order.card_shipping_mismatch', flag(d.paymentInstrument.country !== d.shippingAddress.country));
    const local = LOCAL_CURRENCY[d.shippingAddress.country];
    if (local) put('order.currency_mismatch', flag(local !== d.amount.currency));
  }
  if (event.type === 'payment.attempted') put('payment.failed', flag(!event.data.success));
  if (event.type === 'wallet.transfer') {
    const ratio = drainRatio(event.data);
    if (ratio === 'inconsistent') inconsistentTransfers.inc({ kind: event.data.kind });
    else put('wallet.drain_ratio', ratio);
  }
  return metrics;
}

/**
 * Share of the wallet's balance a transfer moves, within [0, 1]. An amount above balanceBefore
 * cannot drain anything (the platform's balance or amount is wrong): 'inconsistent', no ratio.
 * undefined when there is no balance to drain (empty wallet, nothing sent).
 */
export function drainRatio(d: Pick<WalletTransfer, 'amount' | 'balanceBefore'>): number | undefined | 'inconsistent' {
  if (d.amount > d.balanceBefore * (1 + BALANCE_EPSILON)) return 'inconsistent';
  if (d.balanceBefore <= 0) return undefined;
  return Math.min(1, d.amount / d.balanceBefore);
}
