import { PaymentInstrument } from '@vigil/contracts';
import { COUNTRIES, ORDINARY_DESCRIPTIONS, ORDINARY_REVIEWS, PRODUCTS } from './catalogue';
import { Random } from './random';
import { Account, DAY, HOUR, Listing, MINUTE, World } from './world';

/** A share of cases whose delay is log-uniform in [minMs, maxMs). */
export interface DelayBucket {
  share: number;
  minMs: number;
  maxMs: number;
}

/**
 * The ordinary marketplace: what honest buyers and sellers do, i.e. what false alarms are made of.
 * Every figure is here so the README, the tests and the backtest report can quote it.
 */
export const ORDINARY_MODEL = {
  /**
   * Returning-customer base. Accounts are drawn from it (weighted by how often they order) and
   * appear in the events only when they act: their account.created, at its old date, and their
   * orders of the last `historyDays` days are emitted when they first act in the period.
   */
  virtualBuyers: 100_000,
  activity: [
    { name: 'occasional', share: 0.75, meanDaysBetweenOrders: 60 },
    { name: 'regular', share: 0.22, meanDaysBetweenOrders: 14 },
    { name: 'frequent', share: 0.03, meanDaysBetweenOrders: 3 },
  ],
  /** Orders before the period that are emitted (they feed the 24h and 7d windows). */
  historyDays: 7,
  /** Age of a returning customer's account: at least 15 days (older than every emitted sign-up). */
  returningAge: [
    { share: 0.2, minMs: 15 * DAY, maxMs: 60 * DAY },
    { share: 0.3, minMs: 60 * DAY, maxMs: 365 * DAY },
    { share: 0.5, minMs: 365 * DAY, maxMs: 6 * 365 * DAY },
  ] as DelayBucket[],
  /** Blocks of 4 consecutive customers; in 40 % of blocks the first 2-4 share a household. */
  householdBlock: 4,
  householdChance: 0.4,
  householdSizes: [
    { size: 2, share: 0.65 },
    { size: 3, share: 0.25 },
    { size: 4, share: 0.1 },
  ],
  /** A household member at home uses the family device (laptop, tablet) rather than their own. */
  sharedDeviceUse: 0.5,
  /** The second member of a household pays with the first one's card; any further member. */
  sharedCardSecond: 0.3,
  sharedCardFurther: 0.1,
  /** Customers with a phone besides their main device (used on the go). */
  phoneOwners: 0.4,
  /** Where a session comes from: home IP (shared by the household), a mobile carrier's NAT, elsewhere. */
  sessionAtHome: 0.7,
  sessionMobile: 0.25,
  /** Sessions away from home and mobile that are abroad (travel: the IP's country is not the shipping country). */
  abroadShareOfElsewhere: 0.4,
  /** Customers paying with a card issued in another country than where they live (expats, cross-border banks). */
  foreignCardHolders: 0.03,
  /**
   * Cheap items sell more often: an order picks a listing with weight 1/sqrt(market price), so
   * about 2 % of orders are of 1,000 EUR or more (the 1,199 EUR laptop), not 1 in 15.
   */
  priceWeightExponent: 0.5,
  /**
   * Each catalogue product stands for this many distinct products of its kind (other titles,
   * models, colours: product ids derived from the catalogue's), so that reviews and prices per
   * product id are as thin as on a real marketplace; variant 0 is the catalogue's own id.
   */
  productVariants: 25,
  /** Carrier-grade NAT addresses shared by every mobile customer. */
  carrierIps: 48,
  returningOrdersPerMinute: 5,
  /** A returning customer logs in 1-20 min before ordering (otherwise the session was still open). */
  loginBeforeOrder: 0.5,
  browseLoginsPerMinute: 1,
  failedLoginFirst: 0.05,
  signupsPerMinute: 0.5,
  /** Sign-ups that join an existing household (same family device, home IP and address). */
  signupJoinsHousehold: 0.15,
  signupOnMobile: 0.25,
  /** Sign-ups that never order within 14 days. */
  signupNeverOrders: 0.35,
  /** Sign-up to first order, for those who order: few within minutes, a minority within the hour. */
  firstOrderDelay: [
    { share: 0.015, minMs: 20_000, maxMs: 2 * MINUTE },
    { share: 0.05, minMs: 2 * MINUTE, maxMs: 10 * MINUTE },
    { share: 0.135, minMs: 10 * MINUTE, maxMs: HOUR },
    { share: 0.45, minMs: HOUR, maxMs: DAY },
    { share: 0.35, minMs: DAY, maxMs: 14 * DAY },
  ] as DelayBucket[],
  /** Sign-ups of the 14 days before the period whose first order falls inside it are emitted. */
  signupLookbackMs: 14 * DAY,
  secondOrderChance: 0.3,
  secondOrderDelay: { share: 1, minMs: HOUR, maxMs: 3 * DAY } as DelayBucket,
  returnChance: 0.02,
  /** Reviews of purchases delivered before the emitted history. */
  lateReviewsPerMinute: 1,
  depositsPerMinute: 0.4,
  /** Sellers: shops with staff and many listings, and private sellers. */
  proSellers: 0.15,
  sellerAge: { share: 1, minMs: 30 * DAY, maxMs: 4 * 365 * DAY } as DelayBucket,
  /** Listing sessions per minute; a pro seller lists 2-8 items per session, a private one 1-2. */
  listingSessionsPerMinute: 0.35,
  proShareOfListingSessions: 0.5,
  sellerLoginBeforeListing: 0.7,
  sellerCheckLoginsPerMinute: 0.5,
  /** Ship after payment: shops 1-12 h, private sellers 4-48 h; delivered 18-72 h after shipping. */
  shipHours: { pro: [1, 12], hobby: [4, 48] } as Record<'pro' | 'hobby', [number, number]>,
  deliverHours: [18, 72] as [number, number],
  sellerSignupsPerMinute: 0.04,
  firstListingDelay: [
    { share: 0.3, minMs: 10 * MINUTE, maxMs: HOUR },
    { share: 0.5, minMs: HOUR, maxMs: DAY },
    { share: 0.2, minMs: DAY, maxMs: 7 * DAY },
  ] as DelayBucket[],
  /** Per seller and day: password changed; payout destination changed (a quarter of them right after a password change). */
  sellerPasswordChangePerDay: 0.005,
  sellerPayoutChangePerDay: 0.002,
  payoutAfterPasswordChange: 0.25,
};

const M = ORDINARY_MODEL;
const CHEAPEST = Math.min(...PRODUCTS.map((p) => p.marketPrice));

interface Household {
  size: number;
  sharedDevice: string;
  homeIp: string;
  address: string;
  country: string;
  card?: PaymentInstrument;
  members: number;
}

interface Profile {
  account: Account;
  homeIp: string;
  phone?: string;
  household?: Household;
  meanDaysBetweenOrders: number;
}

interface SellerProfile {
  account: Account;
  tier: 'pro' | 'hobby';
  devices: string[];
}

interface Session {
  deviceId: string;
  ip: string;
  ipCountry: string;
}

interface Scheduled {
  atMs: number;
  run: (atMs: number) => void;
}

/** Poisson-like counts per minute: a few of each activity, varying from minute to minute. */
export function perMinute(r: Random, mean: number): number {
  let count = 0;
  for (let i = 0; i < mean * 2; i++) if (r.chance(0.5)) count++;
  return count;
}

function poisson(r: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = r.next();
  while (p > limit) {
    k++;
    p *= r.next();
  }
  return k;
}

/** A delay from a mixture of log-uniform buckets; undefined for the share not covered (e.g. "never orders"). */
export function sampleDelay(r: Random, buckets: readonly DelayBucket[]): number | undefined {
  let u = r.next();
  for (const b of buckets) {
    if (u < b.share) return Math.round(b.minMs * Math.pow(b.maxMs / b.minMs, r.next()));
    u -= b.share;
  }
  return undefined;
}

/**
 * Ordinary traffic over the period: sellers and their listing history, returning customers
 * (with their recent orders), households, new sign-ups and their first orders, minute by minute.
 * All draws come from the world's (ordinary) random stream, so the output is a function of the seed.
 */
export class OrdinaryMarket {
  private readonly r: Random;
  private readonly carrierIps: string[] = [];
  private readonly households = new Map<number, Household | null>();
  private readonly bySlot = new Map<number, Profile>();
  private readonly profiles = new Map<string, Profile>();
  private readonly sellerProfiles = new Map<string, SellerProfile>();
  private readonly pros: SellerProfile[] = [];
  private readonly hobbies: SellerProfile[] = [];
  private readonly allSellers: SellerProfile[] = [];
  /** Every listing with its creation time, sorted by time: an order only picks a listing that exists. */
  private readonly listingTimeline: { atMs: number; listing: Listing }[] = [];
  private readonly schedule = new Map<number, Scheduled[]>();
  private readonly classRanges: { from: number; to: number; meanDays: number; weight: number }[] = [];

  constructor(private readonly world: World) {
    this.r = world.random;
    let from = 0;
    for (const c of M.activity) {
      const to = from + Math.round(M.virtualBuyers * c.share);
      this.classRanges.push({ from, to, meanDays: c.meanDaysBetweenOrders, weight: c.share / c.meanDaysBetweenOrders });
      from = to;
    }
  }

  /** Listings created before `atMs` (the patterns' pool: ordinary listings that existed at the start). */
  listingsBefore(atMs: number): Listing[] {
    return this.listingTimeline.filter((l) => l.atMs < atMs).map((l) => l.listing);
  }

  /** Ordinary buyers whose account existed `ms` before the start (the patterns' victims). */
  buyersCreatedBefore(atMs: number): Account[] {
    return this.world.buyers.filter((b) => b.createdAtMs <= atMs);
  }

  run(minutes: number): void {
    const { world, r } = this;
    for (let i = 0; i < M.carrierIps; i++) this.carrierIps.push(world.ip());
    this.populateSellers(30 + Math.ceil(minutes / 2));
    this.preexistingSignups();
    for (let m = 0; m < minutes; m++) {
      const minuteStart = world.startMs + m * MINUTE;
      const at = () => minuteStart + r.int(0, MINUTE - 1);
      for (const job of this.schedule.get(m) ?? []) job.run(job.atMs);
      this.schedule.delete(m);

      if (r.chance(M.signupsPerMinute)) this.signup(at());
      if (r.chance(M.sellerSignupsPerMinute)) this.sellerSignup(at());
      for (let i = perMinute(r, M.returningOrdersPerMinute); i > 0; i--) this.returningOrder(this.returningCustomer(), at());
      for (let i = perMinute(r, M.browseLoginsPerMinute); i > 0; i--) {
        const profile = this.returningCustomer();
        const session = this.session(profile);
        this.login(profile.account, at(), session);
      }
      if (r.chance(M.listingSessionsPerMinute)) {
        const pool = this.pros.length > 0 && r.chance(M.proShareOfListingSessions) ? this.pros : this.hobbies;
        const seller = r.pick(pool);
        this.listingSession(seller, at(), seller.tier === 'pro' ? r.int(2, 8) : r.int(1, 2));
      }
      if (r.chance(M.sellerCheckLoginsPerMinute)) {
        const seller = r.pick(this.allSellers);
        world.login(seller.account, at(), r.pick(seller.devices), seller.account.ip);
      }
      const sellerCount = this.allSellers.length;
      if (r.chance((sellerCount * M.sellerPasswordChangePerDay) / (DAY / MINUTE))) this.sellerPasswordChange(at());
      if (r.chance((sellerCount * M.sellerPayoutChangePerDay * (1 - M.payoutAfterPasswordChange)) / (DAY / MINUTE))) {
        this.payoutChange(r.pick(this.allSellers), at());
      }
      for (let i = perMinute(r, M.lateReviewsPerMinute); i > 0; i--) {
        const t = at();
        const listing = this.listingToBuy(t - 3 * DAY);
        if (!listing) continue;
        const profile = this.returningCustomer();
        const rating = r.pick([5, 5, 5, 5, 4, 4, 3, 2, 1]);
        const session = this.session(profile);
        world.review(profile.account, listing.sellerId, t, rating, r.pick(ORDINARY_REVIEWS[rating]), { productId: listing.product.productId, deviceId: session.deviceId, ip: session.ip });
      }
      if (r.chance(M.depositsPerMinute)) {
        const account = this.returningCustomer().account;
        const amount = r.int(20, 2_000);
        const source = `wal-${r.hex(16)}`;
        world.labels.legit('wallet', source);
        world.transfer(at(), source, account.wallet, amount, r.int(amount, amount * 20), 'deposit', account.id);
      }
    }
  }

  // --- sellers -------------------------------------------------------------------------------

  private populateSellers(count: number): void {
    const { world, r } = this;
    for (let i = 0; i < count; i++) {
      const tier = r.chance(M.proSellers) ? 'pro' : 'hobby';
      const seller = this.registerSeller(world.createAccount('seller', world.startMs - sampleDelay(r, [M.sellerAge])!), tier);
      // Listings that have been online for weeks, then the last two days' (the seller's baseline).
      for (let k = tier === 'pro' ? r.int(5, 12) : r.int(1, 3); k > 0; k--) {
        this.createListing(seller, world.startMs - r.int(8 * 24 * 60, 120 * 24 * 60) * MINUTE);
      }
      for (let k = tier === 'pro' ? r.int(8, 25) : r.int(3, 6); k > 0; k--) {
        this.createListing(seller, world.startMs - r.int(10, (2 * DAY) / MINUTE) * MINUTE);
      }
    }
  }

  /** `active`: picked for listing sessions and logins (a new seller only from its first listing on). */
  private registerSeller(account: Account, tier: 'pro' | 'hobby', active = true): SellerProfile {
    const devices = [account.deviceId];
    // A shop's staff work from two or three machines behind the shop's IP.
    if (tier === 'pro') {
      for (let k = this.r.int(1, 2); k > 0; k--) {
        const device = `dev-${this.r.hex(10)}`;
        this.world.labels.legit('device', device);
        devices.push(device);
      }
    }
    const profile: SellerProfile = { account, tier, devices };
    this.sellerProfiles.set(account.id, profile);
    if (active) this.activate(profile);
    return profile;
  }

  private activate(seller: SellerProfile): void {
    (seller.tier === 'pro' ? this.pros : this.hobbies).push(seller);
    this.allSellers.push(seller);
  }

  private createListing(seller: SellerProfile, atMs: number): void {
    const r = this.r;
    const product = r.pick(PRODUCTS);
    const variant = r.int(0, M.productVariants - 1);
    const productId = variant === 0 ? product.productId : `${product.productId.slice(0, 10)}${String(variant).padStart(3, '0')}`;
    const listing = this.world.createListing(seller.account, atMs, { ...product, productId }, r.real(0.85, 1.15), r.pick(ORDINARY_DESCRIPTIONS));
    const timeline = this.listingTimeline;
    let i = timeline.length;
    while (i > 0 && timeline[i - 1].atMs > atMs) i--;
    timeline.splice(i, 0, { atMs, listing });
  }

  /** A uniformly chosen listing created before `atMs`. */
  private listingBefore(atMs: number): Listing | undefined {
    const timeline = this.listingTimeline;
    let lo = 0;
    let hi = timeline.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (timeline[mid].atMs < atMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : timeline[Math.floor(this.r.next() * lo)].listing;
  }

  /** A listing created before `atMs`, cheap ones more often (weight 1/price^exponent). */
  private listingToBuy(atMs: number): Listing | undefined {
    for (let tries = 0; tries < 100; tries++) {
      const listing = this.listingBefore(atMs);
      if (!listing) return undefined;
      if (this.r.chance(Math.pow(CHEAPEST / listing.product.marketPrice, M.priceWeightExponent))) return listing;
    }
    return this.listingBefore(atMs);
  }

  private listingSession(seller: SellerProfile, atMs: number, count: number): void {
    const { world, r } = this;
    if (r.chance(M.sellerLoginBeforeListing)) world.login(seller.account, atMs - r.int(1, 10) * MINUTE, r.pick(seller.devices), seller.account.ip);
    let t = atMs;
    for (let i = 0; i < count && t < world.endMs; i++) {
      this.createListing(seller, t);
      t += r.int(30_000, 3 * MINUTE);
    }
  }

  private sellerSignup(atMs: number): void {
    const seller = this.registerSeller(this.world.createAccount('seller', atMs), 'hobby', false);
    const delay = sampleDelay(this.r, M.firstListingDelay)!;
    this.at(atMs + delay, (t) => {
      this.listingSession(seller, t, this.r.int(2, 6));
      this.activate(seller);
    });
  }

  private sellerPasswordChange(atMs: number): void {
    const { world, r } = this;
    const seller = r.pick(this.allSellers);
    const deviceId = r.pick(seller.devices);
    world.login(seller.account, atMs - r.int(1, 5) * MINUTE, deviceId, seller.account.ip);
    world.timeline.emit('account.credentials_changed', atMs, { accountId: seller.account.id, credential: 'password', ip: seller.account.ip, deviceId });
    // Some sellers review their security and bank details together.
    if (r.chance(M.payoutAfterPasswordChange)) this.payoutChange(seller, atMs + r.int(5, 45) * MINUTE);
  }

  private payoutChange(seller: SellerProfile, atMs: number): void {
    if (atMs >= this.world.endMs) return;
    this.world.timeline.emit('account.payout_changed', atMs, { accountId: seller.account.id, payoutFingerprint: `iban-${this.r.hex(12)}`, ip: seller.account.ip });
  }

  // --- buyers --------------------------------------------------------------------------------

  private householdOfBlock(block: number): Household | null {
    const known = this.households.get(block);
    if (known !== undefined) return known;
    const { world, r } = this;
    let household: Household | null = null;
    if (r.chance(M.householdChance)) {
      let u = r.next();
      const size = M.householdSizes.find((s) => (u -= s.share) < 0)?.size ?? 2;
      household = { size, sharedDevice: `dev-${r.hex(10)}`, homeIp: world.ip(), address: `addr-${r.hex(10)}`, country: r.pick(COUNTRIES), members: 0 };
      world.labels.legit('device', household.sharedDevice);
    }
    this.households.set(block, household);
    return household;
  }

  private householdOfSlot(slot: number): Household | undefined {
    const household = this.householdOfBlock(Math.floor(slot / M.householdBlock));
    return household && slot % M.householdBlock < household.size ? household : undefined;
  }

  /** A returning customer, drawn in proportion to how often they order; emitted on first use. */
  private returningCustomer(): Profile {
    const r = this.r;
    const total = this.classRanges.reduce((sum, c) => sum + c.weight, 0);
    let u = r.next() * total;
    const range = this.classRanges.find((c) => (u -= c.weight) < 0) ?? this.classRanges[this.classRanges.length - 1];
    const slot = r.int(range.from, range.to - 1);
    const known = this.bySlot.get(slot);
    if (known) return known;
    // A household comes with all its members: the platform has seen them all (sign-ups, orders).
    const household = this.householdOfSlot(slot);
    if (household) {
      const first = Math.floor(slot / M.householdBlock) * M.householdBlock;
      for (let s = first; s < first + household.size; s++) if (!this.bySlot.has(s)) this.materialize(s, household);
    } else {
      this.materialize(slot, undefined);
    }
    return this.bySlot.get(slot)!;
  }

  private meanDaysOf(slot: number): number {
    return (this.classRanges.find((c) => slot >= c.from && slot < c.to) ?? this.classRanges[0]).meanDays;
  }

  private materialize(slot: number, household: Household | undefined): Profile {
    const { world, r } = this;
    const meanDays = this.meanDaysOf(slot);
    const country = household?.country ?? r.pick(COUNTRIES);
    const homeIp = household?.homeIp ?? world.ip();
    const card = this.householdCard(household, country) ?? this.ownCard(country);
    const account = world.createAccount('buyer', world.startMs - sampleDelay(r, M.returningAge)!, { ip: homeIp, country, card });
    if (household) account.addressFingerprint = household.address;
    const profile = this.addProfile(account, homeIp, household, meanDays);
    this.bySlot.set(slot, profile);
    // The customer's orders of the last days: the platform has seen them, so the windows hold them.
    const times = Array.from({ length: poisson(r, M.historyDays / meanDays) }, () => world.startMs - r.int(1, M.historyDays * DAY));
    for (const t of times.sort((a, b) => a - b)) this.order(profile, t);
    return profile;
  }

  private householdCard(household: Household | undefined, country: string): PaymentInstrument | undefined {
    if (!household) return undefined;
    household.members++;
    if (!household.card) {
      household.card = this.world.card(country);
      return household.card;
    }
    return this.r.chance(household.members === 2 ? M.sharedCardSecond : M.sharedCardFurther) ? household.card : undefined;
  }

  /** Usually a card of the home country; sometimes one issued elsewhere. */
  private ownCard(country: string): PaymentInstrument {
    return this.world.card(this.r.chance(M.foreignCardHolders) ? this.r.pick(COUNTRIES.filter((c) => c !== country)) : country);
  }

  private addProfile(account: Account, homeIp: string, household: Household | undefined, meanDays: number): Profile {
    const phone = this.r.chance(M.phoneOwners) ? `dev-${this.r.hex(10)}` : undefined;
    if (phone) this.world.labels.legit('device', phone);
    const profile: Profile = { account, homeIp, phone, household, meanDaysBetweenOrders: meanDays };
    this.profiles.set(account.id, profile);
    return profile;
  }

  /** Where a session comes from: home (the family device half of the time), a carrier NAT, or elsewhere (sometimes abroad). */
  private session(profile: Profile): Session {
    const { r } = this;
    const home = profile.account.country;
    const u = r.next();
    if (u < M.sessionAtHome) {
      const shared = profile.household && r.chance(M.sharedDeviceUse);
      return { deviceId: shared ? profile.household!.sharedDevice : profile.account.deviceId, ip: profile.homeIp, ipCountry: home };
    }
    const deviceId = profile.phone ?? profile.account.deviceId;
    if (u < M.sessionAtHome + M.sessionMobile) return { deviceId, ip: r.pick(this.carrierIps), ipCountry: home };
    const abroad = r.chance(M.abroadShareOfElsewhere);
    return { deviceId, ip: this.world.ip(), ipCountry: abroad ? r.pick(COUNTRIES.filter((c) => c !== home)) : home };
  }

  private login(account: Account, atMs: number, session: Session): void {
    if (this.r.chance(M.failedLoginFirst)) this.world.login(account, atMs - 15_000, session.deviceId, session.ip, false, session.ipCountry);
    this.world.login(account, atMs, session.deviceId, session.ip, true, session.ipCountry);
  }

  private returningOrder(profile: Profile, atMs: number): void {
    const session = this.session(profile);
    if (this.r.chance(M.loginBeforeOrder)) this.login(profile.account, atMs - this.r.int(1, 20) * MINUTE, session);
    this.order(profile, atMs, session);
  }

  private order(profile: Profile, atMs: number, session = this.session(profile)): void {
    const { world, r } = this;
    const listing = this.listingToBuy(atMs);
    if (!listing) return;
    const tier = this.sellerProfiles.get(listing.sellerId)?.tier ?? 'hobby';
    const [shipMin, shipMax] = M.shipHours[tier];
    world.placeOrder(profile.account, listing, atMs, {
      deviceId: session.deviceId,
      ip: session.ip,
      ipCountry: session.ipCountry,
      shipAfterMs: r.int(shipMin * 60, shipMax * 60) * MINUTE,
      deliverAfterMs: r.int(M.deliverHours[0], M.deliverHours[1]) * HOUR,
      returns: r.chance(M.returnChance),
    });
  }

  /** Sign-ups of the two weeks before the period whose first order lands inside it. */
  private preexistingSignups(): void {
    const { world, r } = this;
    for (let t = world.startMs - M.signupLookbackMs; t < world.startMs; t += MINUTE) {
      if (!r.chance(M.signupsPerMinute)) continue;
      const signupAt = t + r.int(0, MINUTE - 1);
      const delay = sampleDelay(r, M.firstOrderDelay);
      if (delay === undefined || r.chance(M.signupNeverOrders)) continue;
      const firstOrderAt = signupAt + delay;
      if (firstOrderAt < world.startMs || firstOrderAt >= world.endMs) continue;
      this.newCustomer(signupAt, firstOrderAt);
    }
  }

  private signup(atMs: number): void {
    const r = this.r;
    const delay = sampleDelay(r, M.firstOrderDelay);
    const orders = delay !== undefined && !r.chance(M.signupNeverOrders);
    this.newCustomer(atMs, orders && atMs + delay! < this.world.endMs ? atMs + delay! : undefined);
  }

  /** A new account (maybe a family member joining a household) and, when it orders in the period, its first order. */
  private newCustomer(signupAt: number, firstOrderAt: number | undefined): void {
    const { world, r } = this;
    let household: Household | undefined;
    if (r.chance(M.signupJoinsHousehold)) {
      // A family member of some household signs up on the family device at home.
      for (let tries = 0; tries < 20 && !household; tries++) household = this.householdOfBlock(r.int(0, M.virtualBuyers / M.householdBlock - 1)) ?? undefined;
    }
    const country = household?.country ?? r.pick(COUNTRIES);
    const homeIp = household?.homeIp ?? world.ip();
    const signupIp = household ? homeIp : r.chance(M.signupOnMobile) ? r.pick(this.carrierIps) : homeIp;
    const account = world.createAccount('buyer', signupAt, {
      ip: signupIp,
      country,
      ...(household ? { deviceId: household.sharedDevice } : {}),
      card: this.householdCard(household, country) ?? this.ownCard(country),
    });
    if (household) account.addressFingerprint = household.address;
    const profile = this.addProfile(account, homeIp, household, M.activity[1].meanDaysBetweenOrders);
    if (firstOrderAt === undefined) return;
    this.at(firstOrderAt, (t) => {
      const session = this.session(profile);
      // Logged in since sign-up, or logs in again before the first purchase.
      if (t - signupAt > HOUR && r.chance(M.loginBeforeOrder)) this.login(account, t - r.int(1, 15) * MINUTE, session);
      this.order(profile, t, session);
      if (r.chance(M.secondOrderChance)) {
        const next = t + sampleDelay(r, [M.secondOrderDelay])!;
        if (next < world.endMs) this.at(next, (t2) => this.returningOrder(profile, t2));
      }
    });
  }

  /** Runs `job` in the minute loop at `atMs` (before the period: at once). */
  private at(atMs: number, run: (atMs: number) => void): void {
    if (atMs >= this.world.endMs) return;
    const minute = Math.max(0, Math.floor((atMs - this.world.startMs) / MINUTE));
    if (atMs < this.world.startMs) {
      run(atMs);
      return;
    }
    const jobs = this.schedule.get(minute) ?? [];
    jobs.push({ atMs, run });
    this.schedule.set(minute, jobs);
  }
}
