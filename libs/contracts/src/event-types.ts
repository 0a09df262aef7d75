import { AccountCreated, AccountCredentialsChanged, AccountLogin, AccountPayoutChanged } from './events/accounts';
import { ListingCreated, ListingUpdated } from './events/listings';
import {
  ChargebackOpened,
  OrderDelivered,
  OrderPlaced,
  OrderRefunded,
  OrderReturned,
  OrderShipped,
  PaymentAttempted,
} from './events/orders';
import { ReviewPosted } from './events/reviews';
import { WalletFlagged, WalletTransfer } from './events/wallets';
import { EventFamily } from './topics';

/**
 * The catalogue of event types: for each type and schema version, the payload class, the
 * family (topic) and the partition key. Ordering matters per key: everything about one
 * account, one seller's listings or reviews, one buyer's orders lands on one partition.
 * To evolve a type, add version 2 beside version 1 and keep accepting 1 while platforms migrate.
 */
export const EVENT_TYPES = {
  'account.created': { family: 'accounts', versions: { 1: AccountCreated }, key: (d: AccountCreated) => d.accountId },
  'account.login': { family: 'accounts', versions: { 1: AccountLogin }, key: (d: AccountLogin) => d.accountId },
  'account.credentials_changed': {
    family: 'accounts',
    versions: { 1: AccountCredentialsChanged },
    key: (d: AccountCredentialsChanged) => d.accountId,
  },
  'account.payout_changed': {
    family: 'accounts',
    versions: { 1: AccountPayoutChanged },
    key: (d: AccountPayoutChanged) => d.accountId,
  },
  'listing.created': { family: 'listings', versions: { 1: ListingCreated }, key: (d: ListingCreated) => d.sellerId },
  'listing.updated': { family: 'listings', versions: { 1: ListingUpdated }, key: (d: ListingUpdated) => d.sellerId },
  'order.placed': { family: 'orders', versions: { 1: OrderPlaced }, key: (d: OrderPlaced) => d.buyerId },
  'payment.attempted': {
    family: 'orders',
    versions: { 1: PaymentAttempted },
    key: (d: PaymentAttempted) => d.accountId,
  },
  'order.shipped': { family: 'orders', versions: { 1: OrderShipped }, key: (d: OrderShipped) => d.buyerId },
  'order.delivered': { family: 'orders', versions: { 1: OrderDelivered }, key: (d: OrderDelivered) => d.buyerId },
  'order.refunded': { family: 'orders', versions: { 1: OrderRefunded }, key: (d: OrderRefunded) => d.buyerId },
  'order.returned': { family: 'orders', versions: { 1: OrderReturned }, key: (d: OrderReturned) => d.buyerId },
  'chargeback.opened': {
    family: 'orders',
    versions: { 1: ChargebackOpened },
    key: (d: ChargebackOpened) => d.buyerId,
  },
  'review.posted': { family: 'reviews', versions: { 1: ReviewPosted }, key: (d: ReviewPosted) => d.sellerId },
  'wallet.transfer': { family: 'wallets', versions: { 1: WalletTransfer }, key: (d: WalletTransfer) => d.fromWallet },
  'wallet.flagged': { family: 'wallets', versions: { 1: WalletFlagged }, key: (d: WalletFlagged) => d.wallet },
} as const satisfies Record<
  string,
  {
    family: EventFamily;
    versions: Record<number, new () => object>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry narrows its own payload type
    key: (data: any) => string;
  }
>;

export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[];

/** Payload type of an event type (latest version). */
export type EventPayload<T extends EventType> = InstanceType<(typeof EVENT_TYPES)[T]['versions'][1]>;
