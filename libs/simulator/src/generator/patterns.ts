import { APPLIANCES, COMPLAINT_PARAPHRASES, CONTACT_BAIT, HIGH_VALUE, ORDINARY_DESCRIPTIONS, PRODUCTS, SMALL_ITEMS } from './catalogue';
import { Account, DAY, HOUR, MINUTE, World } from './world';

/** One fraud pattern of docs/threats.md: emits its events starting at `atMs` and labels what it concerns. */
export interface FraudPattern {
  name: string;
  /** How much event time the pattern needs; it is placed so that it ends inside the period. */
  durationMs: number;
  inject(world: World, atMs: number): void;
}

/** An honest seller with a rating history: the kind of account criminals take over (seed 002). */
function establishedSeller(world: World, atMs: number): Account {
  const seller = world.createAccount('seller', 'established');
  for (let i = 0; i < 4; i++) {
    const product = world.random.pick(PRODUCTS);
    world.createListing(seller, atMs - world.random.int(60, 2_000) * MINUTE, product, world.random.real(0.9, 1.1), world.random.pick(ORDINARY_DESCRIPTIONS));
  }
  return seller;
}

/** Password change and a login from a device and IP the account never used: the start of a takeover chain. */
function takeOver(world: World, seller: Account, atMs: number, pattern: string): { deviceId: string; ip: string } {
  const deviceId = `dev-${world.random.hex(10)}`;
  const ip = world.ip();
  world.login(seller, atMs, deviceId, ip, false);
  world.login(seller, atMs + 20_000, deviceId, ip, true);
  world.timeline.emit('account.credentials_changed', atMs + 60_000, { accountId: seller.id, credential: 'password', ip, deviceId });
  world.timeline.emit('account.credentials_changed', atMs + 90_000, { accountId: seller.id, credential: 'email', ip, deviceId });
  world.labels.fraud('device', deviceId, pattern);
  return { deviceId, ip };
}

function label(world: World, pattern: string, seller: Account): void {
  world.labels.fraud('seller', seller.id, pattern);
}

const hijackedSeller: FraudPattern = {
  name: 'hijacked-seller',
  durationMs: 25 * MINUTE,
  inject(world, atMs) {
    const seller = establishedSeller(world, atMs);
    takeOver(world, seller, atMs, this.name);
    label(world, this.name, seller);
    const languages = ['en', 'de', 'fr', 'pl'] as const;
    for (let i = 0; i < 40; i++) {
      const language = languages[i % languages.length];
      const product = world.random.pick(PRODUCTS.filter((p) => p.marketPrice > 100));
      const listing = world.createListing(
        seller,
        atMs + 3 * MINUTE + i * world.random.int(10_000, 30_000),
        product,
        world.random.real(0.15, 0.35),
        world.random.pick(CONTACT_BAIT[language]),
      );
      world.labels.fraud('listing', listing.listingId, this.name);
    }
  },
};

/** Seed 002: a hijacked account "earned" over 150,000 EUR within 30 minutes, mostly household appliances. */
const salesSpike: FraudPattern = {
  name: 'sales-spike',
  durationMs: 32 * MINUTE,
  inject(world, atMs) {
    const seller = establishedSeller(world, atMs);
    takeOver(world, seller, atMs, this.name);
    label(world, this.name, seller);
    const listings = APPLIANCES.map((product) => world.createListing(seller, atMs + 2 * MINUTE, product, world.random.real(0.85, 0.95), 'Brand new, delivery in 3-4 weeks.'));
    let total = 0;
    let t = atMs + 3 * MINUTE;
    const buyers = world.buyers.slice();
    while (total < 152_000) {
      const listing = world.random.pick(listings);
      const buyer = world.random.pick(buyers);
      // Shipping is confirmed at once: that is what releases the money (seed 002).
      total += world.placeOrder(buyer, listing, t, { ships: true, shipAfterMs: world.random.int(1, 3) * MINUTE, reviewChance: 0 }).amount;
      t += world.random.int(3_000, 7_000);
    }
    for (const listing of listings) world.labels.fraud('listing', listing.listingId, this.name);
  },
};

/**
 * Seeds 000/001: sales surge, shipments stop, the payout destination changes. An exit scam
 * plays over days, not minutes: the seller used to ship within hours, stopped shipping three
 * days ago while orders kept coming, moved the payout a day ago, and now sells in a surge.
 * The earlier part lies before the simulated hour (as the sellers' history does).
 */
const exitScam: FraudPattern = {
  name: 'exit-scam',
  durationMs: 30 * MINUTE,
  inject(world, atMs) {
    const seller = establishedSeller(world, atMs);
    label(world, this.name, seller);
    const listings = world.marketListings().filter((l) => l.sellerId === seller.id);
    const buyers = world.buyers.slice();
    // A week ago: ordinary sales, shipped within two hours.
    for (let i = 0; i < 6; i++) {
      world.placeOrder(world.random.pick(buyers), world.random.pick(listings), atMs - 7 * DAY + i * 3 * HOUR, { shipAfterMs: 2 * HOUR });
    }
    for (let i = 0; i < 10; i++) {
      const listing = world.createListing(seller, atMs - 4 * DAY + i * 20_000, world.random.pick(HIGH_VALUE), world.random.real(0.6, 0.75), 'Clearance sale, everything must go!');
      listings.push(listing);
    }
    // Three days ago shipping stopped; orders kept coming.
    for (let i = 0; i < 8; i++) {
      world.placeOrder(world.random.pick(buyers), world.random.pick(listings), atMs - 3 * DAY + i * 2 * HOUR, { ships: false });
    }
    world.timeline.emit('account.payout_changed', atMs - DAY, { accountId: seller.id, payoutFingerprint: `iban-${world.random.hex(12)}`, ip: world.ip() });
    // The surge: many orders within half an hour, none shipped.
    for (let i = 0; i < 45; i++) {
      world.placeOrder(world.random.pick(buyers), world.random.pick(listings), atMs + i * world.random.int(15_000, 30_000), { ships: false });
    }
  },
};

/** Seed 003: repeated failed small payments over many cards on one account. */
const cardTesting: FraudPattern = {
  name: 'card-testing',
  durationMs: 10 * MINUTE,
  inject(world, atMs) {
    const account = world.createAccount('buyer', atMs - 30 * MINUTE);
    world.labels.fraud('account', account.id, this.name);
    world.labels.fraud('device', account.deviceId, this.name);
    for (let i = 0; i < 30; i++) {
      const card = world.card(world.random.pick(['US', 'BR', 'GB', 'DE']));
      world.labels.fraud('card', card.fingerprint, this.name);
      const tries = world.random.int(1, 3);
      for (let k = 0; k < tries; k++) {
        const success = k === tries - 1 && world.random.chance(0.15);
        world.paymentAttempt(account, atMs + i * 15_000 + k * 3_000, world.random.pick([0.5, 1, 1.99, 2.5, 5]), card, success);
      }
    }
  },
};

/** Seed 003: promo-code abuse through freshly created accounts, all on one device. */
const promoAbuse: FraudPattern = {
  name: 'promo-abuse',
  durationMs: 25 * MINUTE,
  inject(world, atMs) {
    const deviceId = `dev-${world.random.hex(10)}`;
    const ip = world.ip();
    const promoCode = 'WELCOME20';
    world.labels.fraud('device', deviceId, this.name);
    world.labels.fraud('promo_code', promoCode, this.name);
    const listing = world.random.pick(world.marketListings().filter((l) => l.product.marketPrice < 300));
    for (let i = 0; i < 10; i++) {
      const at = atMs + i * 2 * MINUTE;
      const account = world.createAccount('buyer', at, { deviceId, ip });
      world.labels.fraud('account', account.id, this.name);
      world.placeOrder(account, listing, at + world.random.int(30_000, 90_000), { promoCode, reviewChance: 0 });
    }
  },
};

/** Seed 003: frequent returns from the same account. */
const returnAbuse: FraudPattern = {
  name: 'return-abuse',
  durationMs: 25 * MINUTE,
  inject(world, atMs) {
    const account = world.createAccount('buyer', 'established');
    world.labels.fraud('account', account.id, this.name);
    const listings = world.marketListings().filter((l) => l.product.marketPrice > 100);
    // Orders placed before the period (so deliveries land inside it), every one returned.
    for (let i = 0; i < 8; i++) {
      world.placeOrder(account, world.random.pick(listings), atMs - 60 * MINUTE + i * 3 * MINUTE, { shipAfterMs: 5 * MINUTE, returns: true });
    }
  },
};

/** Seed 003: high-value order from an account created minutes ago, IP abroad, shipping elsewhere. */
const newAccountHighValue: FraudPattern = {
  name: 'new-account-high-value',
  durationMs: 10 * MINUTE,
  inject(world, atMs) {
    const account = world.createAccount('buyer', atMs);
    world.labels.fraud('account', account.id, this.name);
    const listing = world.random.pick(world.marketListings().filter((l) => l.product.marketPrice >= 600));
    world.placeOrder(account, listing, atMs + 4 * MINUTE, { quantity: 3, ipCountry: 'NG', shippingCountry: 'RO', reviewChance: 0 });
  },
};

/** Seeds 000/001: a new seller's own devices, IP and card buy and leave 5-star reviews. */
const reviewPadding: FraudPattern = {
  name: 'review-padding',
  durationMs: 25 * MINUTE,
  inject(world, atMs) {
    const seller = world.createAccount('seller', atMs - 120 * MINUTE);
    label(world, this.name, seller);
    // The reviewers use the seller's own device and card: those are part of the scheme.
    world.labels.fraud('device', seller.deviceId, this.name);
    world.labels.fraud('card', seller.card.fingerprint, this.name);
    const listing = world.createListing(seller, atMs - 100 * MINUTE, world.random.pick(SMALL_ITEMS), 1, 'Handmade, limited edition.');
    for (let i = 0; i < 8; i++) {
      const at = atMs + i * 3 * MINUTE;
      const reviewer = world.createAccount('buyer', at, { deviceId: seller.deviceId, ip: seller.ip, card: seller.card });
      world.labels.fraud('account', reviewer.id, this.name);
      const order = world.placeOrder(reviewer, listing, at + MINUTE, { ships: false });
      world.review(reviewer, seller.id, at + 2 * MINUTE, 5, world.random.pick(['Amazing quality, best seller ever!!!', 'Perfect, 5 stars, highly recommended', 'Excellent seller, fast and honest']), { orderId: order.orderId, deviceId: seller.deviceId, ip: seller.ip });
    }
  },
};

/** Seed 001: accounts renting themselves out, rating many unrelated sellers within minutes. */
const reviewersForHire: FraudPattern = {
  name: 'reviewers-for-hire',
  durationMs: 20 * MINUTE,
  inject(world, atMs) {
    for (let k = 0; k < 4; k++) {
      const reviewer = world.createAccount('buyer', 'established');
      world.labels.fraud('account', reviewer.id, this.name);
      const sellers = world.random.sample(world.sellers.filter((s) => s.id !== reviewer.id), 12);
      sellers.forEach((seller, i) => {
        world.review(reviewer, seller.id, atMs + k * 20_000 + i * world.random.int(40_000, 90_000), 5, world.random.pick(['Great seller, recommended!', 'Excellent, 5 stars', 'Very good, fast delivery']));
      });
    }
  },
};

/** Seed 004: paraphrased 1-star complaints from many brand-new accounts against one seller. */
const complaintCampaign: FraudPattern = {
  name: 'complaint-campaign',
  durationMs: 25 * MINUTE,
  inject(world, atMs) {
    const target = establishedSeller(world, atMs);
    // The target is a victim, labelled fraud because an alert about it is wanted (see labels.ts).
    label(world, this.name, target);
    for (let i = 0; i < 15; i++) {
      const at = atMs + i * world.random.int(60_000, 100_000);
      const account = world.createAccount('buyer', at);
      world.labels.fraud('account', account.id, this.name);
      world.review(account, target.id, at + world.random.int(30_000, 120_000), 1, COMPLAINT_PARAPHRASES[i % COMPLAINT_PARAPHRASES.length]);
    }
  },
};

/** Seed 004: deposits one and two hops from a flagged (hacker's) wallet. */
const taintedDeposits: FraudPattern = {
  name: 'tainted-deposits',
  durationMs: 20 * MINUTE,
  inject(world, atMs) {
    const hacker = `wal-${world.random.hex(16)}`;
    const mule = `wal-${world.random.hex(16)}`;
    world.labels.fraud('wallet', hacker, this.name);
    world.labels.fraud('wallet', mule, this.name);
    world.timeline.emit('wallet.flagged', atMs, { wallet: hacker, reason: 'hack', source: 'chainalysis' });
    const oneHop = world.createAccount('buyer', 'established');
    const twoHop = world.createAccount('buyer', 'established');
    for (const user of [oneHop, twoHop]) {
      world.labels.fraud('wallet', user.wallet, this.name);
      world.labels.fraud('account', user.id, this.name);
    }
    world.transfer(atMs + 2 * MINUTE, hacker, oneHop.wallet, 4_000, 50_000, 'deposit', oneHop.id);
    // The mule receives and drains its whole balance onward: the second hop.
    world.transfer(atMs + 4 * MINUTE, hacker, mule, 20_000, 46_000, 'external');
    world.transfer(atMs + 9 * MINUTE, mule, twoHop.wallet, 20_000, 20_000, 'deposit', twoHop.id);
  },
};

export const PATTERNS: readonly FraudPattern[] = [
  hijackedSeller,
  salesSpike,
  exitScam,
  cardTesting,
  promoAbuse,
  returnAbuse,
  newAccountHighValue,
  reviewPadding,
  reviewersForHire,
  complaintCampaign,
  taintedDeposits,
];

export const PATTERN_NAMES = PATTERNS.map((p) => p.name);
