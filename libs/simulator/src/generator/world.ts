import { PaymentInstrument } from '@vigil/contracts';
import { CARD_DECLINES, COUNTRIES, ORDINARY_REVIEWS, Product } from './catalogue';
import { LabelBook } from './labels';
import { Random } from './random';
import { Timeline } from './timeline';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface Account {
  id: string;
  role: 'buyer' | 'seller';
  country: string;
  deviceId: string;
  ip: string;
  card: PaymentInstrument;
  addressFingerprint: string;
  wallet: string;
  createdAtMs: number;
}

export interface Listing {
  listingId: string;
  sellerId: string;
  product: Product;
  price: number;
}

export interface OrderOptions {
  quantity?: number;
  card?: PaymentInstrument;
  deviceId?: string;
  ip?: string;
  ipCountry?: string;
  shippingCountry?: string;
  promoCode?: string;
  /** Whether the seller confirms shipment (an exit scam stops shipping). Default: yes. */
  ships?: boolean;
  /** Delay until shipment; default 5-40 minutes. */
  shipAfterMs?: number;
  /** Delay from shipment to delivery; default 15-60 minutes (drawn only when not given). */
  deliverAfterMs?: number;
  /** Probability the buyer reviews after delivery. */
  reviewChance?: number;
  /** Returned and refunded after delivery. */
  returns?: boolean;
}

export interface PlacedOrder {
  orderId: string;
  atMs: number;
  amount: number;
}

/**
 * The marketplace being simulated: its accounts, listings and the actions that produce events.
 * Follow-up events (shipment, delivery, review) are only emitted while inside the simulated
 * period, as a live system would not have seen them yet.
 */
export class World {
  readonly buyers: Account[] = [];
  readonly sellers: Account[] = [];
  readonly listings: Listing[] = [];

  constructor(
    readonly random: Random,
    readonly timeline: Timeline,
    readonly labels: LabelBook,
    readonly startMs: number,
    readonly endMs: number,
  ) {}

  nextId(prefix: string): string {
    return this.timeline.nextEntityId(prefix);
  }

  /** Listings at ordinary market prices (not the dumping offers a pattern created). */
  marketListings(): Listing[] {
    return this.listings.filter((l) => l.price >= l.product.marketPrice * 0.8);
  }

  ip(): string {
    const r = this.random;
    return `${r.int(11, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  }

  card(country?: string): PaymentInstrument {
    return { fingerprint: `card-${this.random.hex(12)}`, type: 'card', country: country ?? this.random.pick(COUNTRIES) };
  }

  /**
   * Registers an account and records it as legit; patterns relabel their own as fraud.
   * `established` accounts were created 30-400 days before the simulated period.
   */
  createAccount(
    role: 'buyer' | 'seller',
    atMs: number | 'established',
    overrides: Partial<Pick<Account, 'deviceId' | 'ip' | 'country' | 'card'>> = {},
  ): Account {
    const r = this.random;
    const country = overrides.country ?? r.pick(COUNTRIES);
    const account: Account = {
      id: this.nextId(role === 'seller' ? 'sel' : 'acc'),
      role,
      country,
      deviceId: overrides.deviceId ?? `dev-${r.hex(10)}`,
      ip: overrides.ip ?? this.ip(),
      card: overrides.card ?? this.card(country),
      addressFingerprint: `addr-${r.hex(10)}`,
      wallet: `wal-${r.hex(16)}`,
      createdAtMs: atMs === 'established' ? this.startMs - r.int(30, 400) * DAY - r.int(0, DAY) : atMs,
    };
    this.timeline.emit('account.created', account.createdAtMs, {
      accountId: account.id,
      roles: [role],
      emailDomain: r.pick(['gmail.com', 'web.de', 'gmx.de', 'outlook.com', 'orange.fr', 'wp.pl', 'icloud.com']),
      emailHash: `em-${r.hex(12)}`,
      signupIp: account.ip,
      deviceId: account.deviceId,
      country,
    });
    const entityType = role === 'seller' ? 'seller' : 'account';
    this.labels.legit(entityType, account.id);
    this.labels.legit('card', account.card.fingerprint);
    this.labels.legit('device', account.deviceId);
    this.labels.legit('wallet', account.wallet);
    (role === 'seller' ? this.sellers : this.buyers).push(account);
    return account;
  }

  login(account: Account, atMs: number, deviceId = account.deviceId, ip = account.ip, success = true, ipCountry = account.country): void {
    this.timeline.emit('account.login', atMs, {
      accountId: account.id,
      success,
      ...(success ? {} : { failureReason: 'bad_password' }),
      ip,
      deviceId,
      ipCountry,
    });
  }

  createListing(seller: Account, atMs: number, product: Product, priceFactor: number, description: string): Listing {
    const listing: Listing = {
      listingId: this.nextId('lst'),
      sellerId: seller.id,
      product,
      price: Math.max(1, Math.round(product.marketPrice * priceFactor * 100) / 100),
    };
    this.timeline.emit('listing.created', atMs, {
      listingId: listing.listingId,
      sellerId: seller.id,
      productId: product.productId,
      category: product.category,
      title: product.title,
      description,
      price: { amount: listing.price, currency: 'EUR' },
      quantity: this.random.int(1, 50),
    });
    this.labels.legit('listing', listing.listingId);
    this.listings.push(listing);
    return listing;
  }

  paymentAttempt(
    account: Account,
    atMs: number,
    amount: number,
    card: PaymentInstrument,
    success: boolean,
    orderId?: string,
    deviceId = account.deviceId,
  ): void {
    this.timeline.emit('payment.attempted', atMs, {
      paymentId: this.nextId('pay'),
      accountId: account.id,
      ...(orderId ? { orderId } : {}),
      success,
      ...(success ? {} : { failureReason: this.random.pick(CARD_DECLINES) }),
      amount: { amount, currency: 'EUR' },
      paymentInstrument: card,
      ip: account.ip,
      deviceId,
    });
  }

  /** Order, payment (an ordinary decline is retried once), then shipment, delivery and maybe a review or return. */
  placeOrder(buyer: Account, listing: Listing, atMs: number, options: OrderOptions = {}): PlacedOrder {
    const r = this.random;
    const quantity = options.quantity ?? (listing.product.marketPrice < 50 ? r.int(1, 3) : 1);
    const amount = Math.round(listing.price * quantity * 100) / 100;
    const card = options.card ?? buyer.card;
    const orderId = this.nextId('ord');
    const correlationId = `journey-${orderId}`;
    const ref = { orderId, buyerId: buyer.id, sellerId: listing.sellerId };
    this.timeline.emit(
      'order.placed',
      atMs,
      {
        ...ref,
        items: [{ listingId: listing.listingId, productId: listing.product.productId, quantity, unitPrice: { amount: listing.price, currency: 'EUR' } }],
        amount: { amount, currency: 'EUR' },
        shippingAddress: { fingerprint: buyer.addressFingerprint, country: options.shippingCountry ?? buyer.country },
        ip: options.ip ?? buyer.ip,
        ipCountry: options.ipCountry ?? buyer.country,
        deviceId: options.deviceId ?? buyer.deviceId,
        paymentInstrument: card,
        ...(options.promoCode ? { promoCode: options.promoCode } : {}),
      },
      correlationId,
    );
    let paidAt = atMs + r.int(2_000, 20_000);
    if (r.chance(0.04)) {
      this.paymentAttempt(buyer, paidAt, amount, card, false, orderId, options.deviceId);
      paidAt += r.int(20_000, 90_000);
    }
    this.paymentAttempt(buyer, paidAt, amount, card, true, orderId, options.deviceId);

    const shippedAt = paidAt + (options.shipAfterMs ?? r.int(5, 40) * MINUTE);
    if (options.ships !== false && shippedAt < this.endMs) {
      this.timeline.emit('order.shipped', shippedAt, { ...ref, carrier: r.pick(['DHL', 'DPD', 'La Poste', 'InPost', 'GLS']), trackingId: `trk-${r.hex(12)}` }, correlationId);
      const deliveredAt = shippedAt + (options.deliverAfterMs ?? r.int(15, 60) * MINUTE);
      if (deliveredAt < this.endMs) {
        this.timeline.emit('order.delivered', deliveredAt, ref, correlationId);
        if (options.returns) {
          const returnedAt = deliveredAt + r.int(2, 10) * MINUTE;
          this.timeline.emit('order.returned', returnedAt, { ...ref, reason: r.pick(['not_as_described', 'changed_mind', 'defective']) }, correlationId);
          this.timeline.emit('order.refunded', returnedAt + r.int(1, 5) * MINUTE, { ...ref, amount: { amount, currency: 'EUR' }, reason: 'return' }, correlationId);
        } else if (r.chance(options.reviewChance ?? 0.35)) {
          const rating = r.pick([5, 5, 5, 5, 4, 4, 3, 2, 1]);
          this.review(buyer, listing.sellerId, deliveredAt + r.int(1, 30) * MINUTE, rating, r.pick(ORDINARY_REVIEWS[rating]), { orderId, productId: listing.product.productId });
        }
      }
    }
    return { orderId, atMs, amount };
  }

  review(
    author: Account,
    sellerId: string,
    atMs: number,
    rating: number,
    text: string,
    extra: { orderId?: string; productId?: string; deviceId?: string; ip?: string } = {},
  ): void {
    if (atMs >= this.endMs) return;
    this.timeline.emit('review.posted', atMs, {
      reviewId: this.nextId('rev'),
      authorId: author.id,
      sellerId,
      ...(extra.productId ? { productId: extra.productId } : {}),
      ...(extra.orderId ? { orderId: extra.orderId } : {}),
      rating,
      text,
      ip: extra.ip ?? author.ip,
      deviceId: extra.deviceId ?? author.deviceId,
    });
  }

  transfer(atMs: number, fromWallet: string, toWallet: string, amount: number, balanceBefore: number, kind: 'deposit' | 'withdrawal' | 'external', accountId?: string): void {
    this.timeline.emit('wallet.transfer', atMs, {
      transferId: this.nextId('txf'),
      fromWallet,
      toWallet,
      amount,
      asset: 'USDT',
      balanceBefore,
      kind,
      ...(accountId ? { accountId } : {}),
    });
  }
}

export { MINUTE, HOUR, DAY };
