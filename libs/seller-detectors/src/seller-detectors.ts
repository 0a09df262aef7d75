import {
  CountersEngine,
  EntityEventOps,
  EntityEventResult,
  formatDuration,
  isEvaluated,
  parseDuration,
} from '@vigil/counters';
import {
  AccountCreated,
  AccountCredentialsChanged,
  AccountLogin,
  AccountPayoutChanged,
  eventRef,
  eventTimeMs,
  FraudSignal,
  ListingCreated,
  ListingUpdated,
  OrderPlaced,
  OrderShipped,
  VigilEvent,
  WalletFlagged,
  WalletTransfer,
} from '@vigil/contracts';
import { counter } from '@vigil/observability';
import {
  BatchCommand,
  defineScripts,
  execBatch,
  LuaScript,
  queueScript,
  RedisClient,
  RedisKeys,
  redisRoundTrips,
} from '@vigil/redis';
import { contactHashes, ContactFinding, scanContactBait } from './contact-bait/contact-scanner';
import { SELLER_RULES, sellerSignal, SignalDraft } from './detectors/seller-signals';
import { ChainLink, chainWithin, isDumpingBurst, isSpike, taintSeverity } from './detectors/seller-rules';
import { SellerDetectorsOptions } from './seller-detectors.options';
import {
  LINK_FLAG_SCRIPT,
  LINK_OBSERVE_SCRIPT,
  PRICE_SKETCH_SCRIPT,
  SELLER_DETECTOR_SCRIPTS,
  SELLER_STATE_SCRIPT,
  sellerStateKeys,
} from './state/seller-state.lua';

const signalsTotal = counter({
  name: 'vigil_seller_detector_signals_total',
  help: 'Signals raised by the seller-side and fund-flow detectors, by rule',
  labelNames: ['rule'],
});

type Reply = unknown;

/** A wallet's taint: distance from a flagged wallet and the path that carried it there. */
interface Taint {
  hops: number;
  path: string[];
  flaggedBy: { eventId: string; occurredAt: string; reason: string };
  transfers: { eventId: string; occurredAt: string }[];
}

interface LinkObservation {
  link: string;
  count: number;
  sellers: string[];
  flagged: Record<string, string>;
}

/** What phase 1 (own scripts) learned about one event; read in phase 2. */
interface EventFacts {
  price?: {
    productMedian: number;
    productSamples: number;
    categoryMedian: number;
    categorySamples: number;
    dumped: boolean;
    compared: boolean;
  };
  findings?: ContactFinding[];
  links: LinkObservation[];
  newDevice?: { isNew: boolean; sizeBefore: number };
  newIp?: { isNew: boolean; sizeBefore: number };
  overdue?: { overdue: number; lagMs: number; usualShipMs: number };
}

/**
 * Seller-side and fund-flow detectors: pure domain code over Redis (no Nest, no Kafka); the
 * velocity service feeds them the same decoded events as its rules, in event-time order.
 * Per call: one pipeline of this lib's scripts (price sketches, links, seller state, taint
 * reads), then one @vigil/counters round trip (windows, baselines, facts) together with the taint
 * writes, then - only when something fired - a claim round trip so each detector fires once per
 * seller and window, and one to flag the links of sellers with critical signals.
 */
export class SellerDetectors {
  private readonly counters: CountersEngine;
  private readonly ms: {
    listing: number;
    dumping: number;
    sales: number;
    chain: number;
    payout: number;
    minShipLag: number;
    dumpingTtl: number;
    ringTtl: number;
    taintTtl: number;
    banTtl: number;
    stateTtl: number;
    dedupe: number;
  };

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: SellerDetectorsOptions,
  ) {
    const o = options;
    this.ms = {
      listing: parseDuration(o.listingSpike.window),
      dumping: parseDuration(o.dumping.window),
      sales: parseDuration(o.salesSpike.window),
      chain: parseDuration(o.takeover.chainWindow),
      payout: parseDuration(o.exitScam.payoutWindow),
      minShipLag: parseDuration(o.exitScam.minShipLag),
      dumpingTtl: parseDuration(o.dumping.ttl),
      ringTtl: parseDuration(o.contactRing.ttl),
      taintTtl: parseDuration(o.taint.ttl),
      banTtl: parseDuration(o.seller.banTtl),
      stateTtl: parseDuration(o.seller.stateTtl),
      dedupe: parseDuration(o.dedupeTtl),
    };
    this.counters = new CountersEngine(redis, keys, {
      // Velocity applies the same order and account events to the same sellers.
      namespace: 'seller-detectors',
      allowedLatenessMs: parseDuration('1h'),
      maxWindowMs: Math.max(this.ms.listing, this.ms.dumping, this.ms.sales, this.ms.chain, this.ms.payout),
    });
    defineScripts(redis, SELLER_DETECTOR_SCRIPTS);
  }

  /** The detection itself, without Kafka: events in, validated signals out. */
  async detect(events: VigilEvent[]): Promise<FraudSignal[]> {
    const facts = await this.observe(events);
    const [results, taints] = await Promise.all([this.count(events, facts), this.propagateTaint(events)]);
    const candidates: { draft: SignalDraft; onceKey?: string }[] = [];
    events.forEach((event, i) => candidates.push(...this.evaluate(event, facts[i], results[i])));
    candidates.push(...taints.map((draft) => ({ draft })));
    const allowed = await this.counters.claimOnce(
      candidates
        .filter((c) => c.onceKey)
        .map((c) => ({
          entity: { tenantId: c.draft.subject.tenantId, type: c.draft.subject.type, id: c.draft.subject.id },
          name: c.onceKey!,
          value: sellerSignal(c.draft, new Date(0)).signalId,
          ttlMs: this.ms.dedupe,
        })),
    );
    let claimIndex = 0;
    const signals = candidates
      .filter((c) => !c.onceKey || allowed[claimIndex++])
      .map((c) => sellerSignal(c.draft));
    for (const s of signals) signalsTotal.inc({ rule: s.ruleId });
    const flaggedSellers = signals.filter((s) => s.severity === 'critical' && s.subject.type === 'seller');
    await Promise.all(
      flaggedSellers.map((s) =>
        this.flagSeller(s.subject.tenantId, s.subject.id, {
          reason: `signal:${s.ruleId}`,
          signalId: s.signalId,
        }),
      ),
    );
    return signals;
  }

  /** Bans a seller: stores the ban and flags every link (device, IP, payout, contact) it used. */
  async flagSeller(
    tenantId: string,
    sellerId: string,
    reason: Record<string, string>,
  ): Promise<{ links: string[] }> {
    const payload = JSON.stringify({ ...reason, sellerId });
    redisRoundTrips.inc({ operation: 'seller-detectors.ban' });
    const links =
      (await this.script<string[]>(SELLER_STATE_SCRIPT, sellerStateKeys(this.sellerKey(tenantId, sellerId), 'ban'), [
        'ban',
        payload,
        this.ms.banTtl,
      ])) ?? [];
    if (links.length > 0) {
      redisRoundTrips.inc({ operation: 'seller-detectors.flag-links' });
      await execBatch(
        this.redis,
        links.map((link) =>
          this.call(LINK_FLAG_SCRIPT, [`${this.linkKey(tenantId, link)}:flagged`], [
            sellerId,
            payload,
            this.ms.ringTtl,
          ]),
        ),
      );
    }
    return { links };
  }

  // ---- phase 1: this lib's own state, one pipeline ----------------------------------------

  private async observe(events: VigilEvent[]): Promise<EventFacts[]> {
    const calls: BatchCommand[] = [];
    const readers: ((replies: Reply[]) => void)[] = [];
    const facts: EventFacts[] = events.map(() => ({ links: [] }));
    const enqueue = (script: LuaScript, keys: string[], args: (string | number)[], read?: (reply: Reply) => void) => {
      const index = calls.length;
      calls.push(this.call(script, keys, args));
      if (read) readers.push((replies) => read(replies[index]));
    };
    const o = this.options;
    const observeLinks = (event: VigilEvent, sellerId: string, links: string[], f: EventFacts) => {
      const t = eventTimeMs(event);
      for (const link of links) {
        const linkKey = this.linkKey(event.tenantId, link);
        enqueue(
          LINK_OBSERVE_SCRIPT,
          [`${linkKey}:sellers`, `${linkKey}:flagged`],
          [sellerId, t, o.contactRing.maxSellersPerLink, this.ms.ringTtl],
          (r) => {
            const [count, sellers, flat] = r as [number, string[], string[]];
            const flagged: Record<string, string> = {};
            for (let j = 0; j + 1 < flat.length; j += 2)
              if (flat[j] !== sellerId) flagged[flat[j]] = flat[j + 1];
            f.links.push({ link, count: Number(count), sellers, flagged });
          },
        );
      }
      if (links.length > 0) {
        enqueue(SELLER_STATE_SCRIPT, sellerStateKeys(this.sellerKey(event.tenantId, sellerId), 'links'), [
          'links',
          t,
          o.seller.linksLimit,
          this.ms.banTtl,
          ...links,
        ]);
      }
    };

    events.forEach((event, i) => {
      const f = facts[i];
      const t = eventTimeMs(event);
      switch (event.type) {
        case 'listing.created':
        case 'listing.updated': {
          const d = event.data as ListingCreated | ListingUpdated;
          if (d.price) {
            const price = {
              productMedian: -1,
              productSamples: 0,
              categoryMedian: -1,
              categorySamples: 0,
              dumped: false,
              compared: false,
            };
            f.price = price;
            const args = () => [
              event.id,
              d.price!.amount,
              o.dumping.fraction,
              o.dumping.minSamples,
              o.dumping.sampleSize,
              this.ms.dumpingTtl,
            ];
            if (d.productId) {
              const key = this.keys.entity(event.tenantId, 'product', d.productId, d.price.currency, 'px');
              enqueue(PRICE_SKETCH_SCRIPT, [key], args(), (r) => {
                const [median, samples, dumped] = r as [string, number, number];
                price.productMedian = Number(median);
                price.productSamples = Number(samples);
                if (price.productMedian > 0) price.dumped = dumped === 1;
              });
            }
            if (d.category) {
              const key = this.keys.entity(event.tenantId, 'category', d.category, d.price.currency, 'px');
              enqueue(PRICE_SKETCH_SCRIPT, [key], args(), (r) => {
                const [median, samples, dumped] = r as [string, number, number];
                price.categoryMedian = Number(median);
                price.categorySamples = Number(samples);
                // The product's own market wins when it has one; the category is the fallback.
                if (price.productMedian <= 0) price.dumped = dumped === 1;
              });
            }
          }
          const text = [d.title, d.description].filter(Boolean).join('\n');
          if (text) {
            f.findings = scanContactBait(text, { allowedHosts: o.allowedHosts });
            observeLinks(
              event,
              d.sellerId,
              contactHashes(f.findings).map((h) => `contact:${h.hash}`),
              f,
            );
          }
          break;
        }
        case 'account.created': {
          const d = event.data as AccountCreated;
          if (!d.roles.includes('seller')) break;
          const links = [`device:${d.deviceId}`, `ip:${d.signupIp}`];
          if (d.emailHash) links.push(`email:${d.emailHash}`);
          if (d.phoneHash) links.push(`phone:${d.phoneHash}`);
          observeLinks(event, d.accountId, links, f);
          break;
        }
        case 'account.payout_changed': {
          const d = event.data as AccountPayoutChanged;
          observeLinks(event, d.accountId, [`payout:${d.payoutFingerprint}`], f);
          break;
        }
        case 'account.login': {
          const d = event.data as AccountLogin;
          if (!d.success) break;
          const key = this.sellerKey(event.tenantId, d.accountId);
          enqueue(
            SELLER_STATE_SCRIPT,
            sellerStateKeys(key, 'known', 'device'),
            ['known', 'device', d.deviceId, t, o.seller.knownDevicesLimit, this.ms.stateTtl],
            (r) => {
              const [isNew, size] = r as [number, number];
              f.newDevice = { isNew: isNew === 1, sizeBefore: Number(size) };
            },
          );
          enqueue(
            SELLER_STATE_SCRIPT,
            sellerStateKeys(key, 'known', 'ip'),
            ['known', 'ip', d.ip, t, o.seller.knownIpsLimit, this.ms.stateTtl],
            (r) => {
              const [isNew, size] = r as [number, number];
              f.newIp = { isNew: isNew === 1, sizeBefore: Number(size) };
            },
          );
          break;
        }
        case 'order.placed': {
          const d = event.data as OrderPlaced;
          const args = [
            'placed',
            d.orderId,
            t,
            o.exitScam.maxOpenOrders,
            this.ms.stateTtl,
            this.ms.minShipLag,
            o.exitScam.shipLagFactor,
          ];
          enqueue(SELLER_STATE_SCRIPT, sellerStateKeys(this.sellerKey(event.tenantId, d.sellerId), 'placed'), args, (r) => {
            const [overdue, lag, usual] = r as [number, string, string];
            f.overdue = { overdue: Number(overdue), lagMs: Number(lag), usualShipMs: Number(usual) };
          });
          break;
        }
        case 'order.shipped': {
          const d = event.data as OrderShipped;
          enqueue(SELLER_STATE_SCRIPT, sellerStateKeys(this.sellerKey(event.tenantId, d.sellerId), 'shipped'), [
            'shipped',
            d.orderId,
            t,
            this.ms.stateTtl,
          ]);
          break;
        }
        default:
          break;
      }
    });
    if (calls.length === 0) return facts;
    redisRoundTrips.inc({ operation: 'seller-detectors.observe' });
    const replies = await execBatch(this.redis, calls);
    for (const read of readers) read(replies);
    return facts;
  }

  // ---- phase 2: windows, baselines and facts per seller (@vigil/counters) -----------------

  private async count(events: VigilEvent[], facts: EventFacts[]): Promise<(EntityEventResult | undefined)[]> {
    const ops: EntityEventOps[] = [];
    const opIndex: number[] = [];
    events.forEach((event, i) => {
      const op = this.sellerOps(event, facts[i]);
      if (op) {
        opIndex[i] = ops.length;
        ops.push(op);
      }
    });
    const results = await this.counters.apply(ops);
    return events.map((_e, i) => (opIndex[i] === undefined ? undefined : results[opIndex[i]]));
  }

  private sellerOps(event: VigilEvent, f: EventFacts): EntityEventOps | undefined {
    const base = { eventId: event.id, occurredAtMs: eventTimeMs(event) };
    const seller = (id: string) => ({ tenantId: event.tenantId, type: 'seller', id });
    const change = (kind: ChainLink['kind'], detail: string): string =>
      JSON.stringify({
        kind,
        eventId: event.id,
        type: event.type as ChainLink['type'],
        occurredAt: event.occurredAt,
        detail,
      } satisfies ChainLink);
    switch (event.type) {
      case 'listing.created': {
        const d = event.data as ListingCreated;
        const compared = !!f.price && (f.price.productMedian > 0 || f.price.categoryMedian > 0);
        return {
          ...base,
          entity: seller(d.sellerId),
          updates: [
            { counter: 'listing.count', kind: 'count', windowsMs: [this.ms.listing], baseline: true },
            {
              counter: 'listing.compared',
              kind: 'count',
              windowsMs: [this.ms.dumping],
              value: compared ? 1 : 0,
            },
            {
              counter: 'listing.dumped',
              kind: 'count',
              windowsMs: [this.ms.dumping],
              value: f.price?.dumped ? 1 : 0,
            },
          ],
        };
      }
      case 'order.placed': {
        const d = event.data as OrderPlaced;
        return {
          ...base,
          entity: seller(d.sellerId),
          updates: [
            { counter: 'order.count', kind: 'count', windowsMs: [this.ms.sales], baseline: true },
            {
              counter: 'order.amount',
              kind: 'sum',
              windowsMs: [this.ms.sales],
              value: d.amount.amount,
              baseline: true,
            },
          ],
        };
      }
      case 'account.credentials_changed': {
        const d = event.data as AccountCredentialsChanged;
        return {
          ...base,
          entity: seller(d.accountId),
          updates: [],
          facts: [
            { op: 'set', field: 'chain.credentials', value: change('credentials_changed', d.credential) },
          ],
        };
      }
      case 'account.payout_changed': {
        const d = event.data as AccountPayoutChanged;
        return {
          ...base,
          entity: seller(d.accountId),
          updates: [],
          facts: [
            {
              op: 'set',
              field: 'chain.payout',
              value: change('payout_changed', `payout ${d.payoutFingerprint}`),
            },
            { op: 'max', field: 'payoutChangedAt', value: eventTimeMs(event) },
          ],
        };
      }
      case 'account.login': {
        const d = event.data as AccountLogin;
        // A first login ever is not "new": only a device/IP unseen by a seller that has history.
        const factsOps: EntityEventOps['facts'] = [];
        if (f.newDevice?.isNew && f.newDevice.sizeBefore > 0)
          factsOps.push({
            op: 'set',
            field: 'chain.device',
            value: change('new_device_login', `device ${d.deviceId}`),
          });
        if (f.newIp?.isNew && f.newIp.sizeBefore > 0)
          factsOps.push({ op: 'set', field: 'chain.ip', value: change('new_ip_login', `ip ${d.ip}`) });
        return factsOps.length > 0
          ? { ...base, entity: seller(d.accountId), updates: [], facts: factsOps }
          : undefined;
      }
      default:
        return undefined;
    }
  }

  // ---- evaluation: thresholds -> signal drafts ---------------------------------------------

  private evaluate(
    event: VigilEvent,
    f: EventFacts,
    result: EntityEventResult | undefined,
  ): { draft: SignalDraft; onceKey?: string }[] {
    const out: { draft: SignalDraft; onceKey?: string }[] = [];
    const o = this.options;
    const t = eventTimeMs(event);
    const sellerId = sellerOf(event);
    if (!sellerId) return out;
    const subject = { type: 'seller' as const, id: sellerId, tenantId: event.tenantId };
    const once = (ruleId: string, windowMs: number) => `fired:${ruleId}:${Math.floor(t / windowMs)}`;
    const spikes: string[] = [];
    const spikeMeasurements: SignalDraft['measurements'] = [];

    if (result && isEvaluated(result.status) && event.type === 'listing.created') {
      const listings = result.counters['listing.count']?.[this.ms.listing] ?? 0;
      const mean = result.baselines['listing.count']?.mean ?? 0;
      const spike = isSpike(listings, mean, o.listingSpike.minCount, o.listingSpike.baselineMultiplier);
      const window = formatDuration(this.ms.listing);
      const m = [
        { name: 'listing.count', value: listings, threshold: spike.threshold, comparator: '>=', window },
        { name: 'listing.count.baseline_mean', value: round(mean), window },
      ];
      if (spike.fires) {
        spikes.push('listing spike');
        spikeMeasurements.push(...m);
        out.push({
          onceKey: once(SELLER_RULES.listingSpike.id, this.ms.listing),
          draft: {
            rule: SELLER_RULES.listingSpike,
            severity: 'high',
            subject,
            trigger: event,
            measurements: m,
            reason: `${listings} listings within ${window} (usual ${round(mean)} per ${window}, threshold ${spike.threshold})`,
            evidence: { baseline: result.baselines['listing.count'] ?? null },
          },
        });
      }
      const dumped = result.counters['listing.dumped']?.[this.ms.dumping] ?? 0;
      const compared = result.counters['listing.compared']?.[this.ms.dumping] ?? 0;
      const burst = isDumpingBurst(dumped, compared, o.dumping.minDumped, o.dumping.minShare);
      if (burst.fires) {
        const dwindow = formatDuration(this.ms.dumping);
        const dm = [
          {
            name: 'listing.dumped',
            value: dumped,
            threshold: o.dumping.minDumped,
            comparator: '>=',
            window: dwindow,
          },
          {
            name: 'listing.dumped.share',
            value: round(burst.share),
            threshold: o.dumping.minShare,
            comparator: '>=',
            window: dwindow,
          },
          {
            name: 'price.fraction_of_median',
            value: round(this.priceFraction(event, f)),
            threshold: o.dumping.fraction,
            comparator: '<',
          },
        ];
        spikes.push('dumping-price burst');
        spikeMeasurements.push(...dm);
        out.push({
          onceKey: once(SELLER_RULES.dumpingPrices.id, this.ms.dumping),
          draft: {
            rule: SELLER_RULES.dumpingPrices,
            severity: 'high',
            subject,
            trigger: event,
            measurements: dm,
            reason: `${dumped} of ${compared} new listings within ${dwindow} priced below ${o.dumping.fraction} x market median`,
            evidence: {
              lastListing: {
                listingId: (event.data as ListingCreated).listingId,
                price: (event.data as ListingCreated).price,
                market: f.price,
              },
            },
          },
        });
      }
    }

    if (result && isEvaluated(result.status) && event.type === 'order.placed') {
      const d = event.data as OrderPlaced;
      const orders = result.counters['order.count']?.[this.ms.sales] ?? 0;
      const amount = result.counters['order.amount']?.[this.ms.sales] ?? 0;
      const meanOrders = result.baselines['order.count']?.mean ?? 0;
      const meanAmount = result.baselines['order.amount']?.mean ?? 0;
      const byCount = isSpike(orders, meanOrders, o.salesSpike.minOrders, o.salesSpike.baselineMultiplier);
      const byAmount = isSpike(amount, meanAmount, o.salesSpike.minAmount, o.salesSpike.baselineMultiplier);
      const window = formatDuration(this.ms.sales);
      const m = [
        { name: 'order.count', value: orders, threshold: byCount.threshold, comparator: '>=', window },
        {
          name: 'order.amount',
          value: round(amount),
          threshold: round(byAmount.threshold),
          comparator: '>=',
          window,
        },
        { name: 'order.count.baseline_mean', value: round(meanOrders), window },
        { name: 'order.amount.baseline_mean', value: round(meanAmount), window },
      ];
      const salesSpike = byCount.fires || byAmount.fires;
      if (salesSpike) {
        spikes.push('sales spike');
        spikeMeasurements.push(...m);
        out.push({
          onceKey: once(SELLER_RULES.salesSpike.id, this.ms.sales),
          draft: {
            rule: SELLER_RULES.salesSpike,
            severity: 'high',
            subject,
            trigger: event,
            measurements: m,
            reason: `${orders} orders worth ${round(amount)} ${d.amount.currency} within ${window} (usual ${round(meanOrders)} orders / ${round(meanAmount)})`,
          },
        });
      }
      // Exit scam: sales surging, shipments not following, and the money's destination changed.
      const payoutAt = Number(result.facts['payoutChangedAt'] ?? NaN);
      const overdue = f.overdue?.overdue ?? 0;
      if (
        salesSpike &&
        overdue >= o.exitScam.minOverdue &&
        Number.isFinite(payoutAt) &&
        t - payoutAt <= this.ms.payout &&
        payoutAt <= t
      ) {
        const payout = parseChain(result.facts['chain.payout']);
        out.push({
          onceKey: once(SELLER_RULES.exitScam.id, this.ms.sales),
          draft: {
            rule: SELLER_RULES.exitScam,
            severity: 'critical',
            subject,
            trigger: event,
            measurements: [
              ...m,
              {
                name: 'orders.overdue',
                value: overdue,
                threshold: o.exitScam.minOverdue,
                comparator: '>=',
                window: formatDuration(f.overdue!.lagMs),
              },
              {
                name: 'payout_change.age_ms',
                value: t - payoutAt,
                threshold: this.ms.payout,
                comparator: '<=',
                window: formatDuration(this.ms.payout),
              },
            ],
            related: payout
              ? [{ eventId: payout.eventId, type: payout.type, occurredAt: payout.occurredAt }]
              : [],
            reason: `sales spike (${orders} orders / ${round(amount)} in ${window}) while ${overdue} orders are unshipped past ${formatDuration(f.overdue!.lagMs)}, payout changed ${formatDuration(t - payoutAt)} before`,
            evidence: {
              payoutChange: payout,
              usualShipMs: f.overdue!.usualShipMs,
              shipLagMs: f.overdue!.lagMs,
            },
          },
        });
      }
    }

    if (spikes.length > 0 && result) {
      const chain = chainWithin(
        ['chain.credentials', 'chain.payout', 'chain.device', 'chain.ip']
          .map((k) => parseChain(result.facts[k]))
          .filter((c): c is ChainLink => !!c),
        t,
        this.ms.chain,
      );
      if (chain.length > 0) {
        out.push({
          onceKey: once(SELLER_RULES.takeoverChain.id, this.ms.chain),
          draft: {
            rule: SELLER_RULES.takeoverChain,
            severity: 'high',
            subject,
            trigger: event,
            measurements: [
              ...spikeMeasurements,
              {
                name: 'chain.first_change_to_spike_ms',
                value: t - Date.parse(chain[0].occurredAt),
                threshold: this.ms.chain,
                comparator: '<=',
                window: formatDuration(this.ms.chain),
              },
            ],
            related: chain.map((c) => ({ eventId: c.eventId, type: c.type, occurredAt: c.occurredAt })),
            reason: `${chain.map((c) => c.kind.replace(/_/g, ' ')).join(', ')} followed within ${formatDuration(this.ms.chain)} by ${spikes.join(' and ')}`,
            evidence: { chain: [...chain, { kind: spikes.join('+'), ...eventRef(event) }] },
          },
        });
      }
    }

    if (f.findings && f.findings.length > 0) {
      const kinds = [...new Set(f.findings.map((x) => x.kind))];
      const d = event.data as ListingCreated;
      out.push({
        draft: {
          rule: SELLER_RULES.contactBait,
          severity: kinds.length > 1 ? 'high' : 'medium',
          subject,
          trigger: event,
          measurements: [
            { name: 'contact_bait.findings', value: f.findings.length, threshold: 1, comparator: '>=' },
          ],
          reason:
            `listing ${d.listingId} asks buyers to leave the platform: ${f.findings.map((x) => `${x.kind} "${x.match}"`).join(', ')}`.slice(
              0,
              1000,
            ),
          evidence: { listingId: d.listingId, findings: f.findings },
        },
      });
    }

    for (const link of f.links) {
      const flaggedIds = Object.keys(link.flagged);
      if (flaggedIds.length > 0) {
        out.push({
          onceKey: `fired:${SELLER_RULES.reRegistration.id}:${link.link}`,
          draft: {
            rule: SELLER_RULES.reRegistration,
            severity: 'high',
            subject,
            trigger: event,
            measurements: [
              {
                name: 'flagged_sellers_sharing_link',
                value: flaggedIds.length,
                threshold: 1,
                comparator: '>=',
              },
            ],
            reason: `seller shares ${link.link.split(':')[0]} with banned/flagged seller(s) ${flaggedIds.slice(0, 5).join(', ')}`,
            evidence: {
              link: link.link,
              flagged: Object.fromEntries(Object.entries(link.flagged).map(([k, v]) => [k, safeJson(v)])),
            },
          },
        });
      }
      if (link.link.startsWith('contact:') && link.count >= o.contactRing.minSellers) {
        out.push({
          onceKey: `fired:${SELLER_RULES.contactRing.id}:${link.link}`,
          draft: {
            rule: SELLER_RULES.contactRing,
            severity: 'high',
            subject,
            trigger: event,
            measurements: [
              {
                name: 'sellers_sharing_contact',
                value: link.count,
                threshold: o.contactRing.minSellers,
                comparator: '>=',
                window: formatDuration(this.ms.ringTtl),
              },
            ],
            reason: `the same contact detail appears on ${link.count} seller accounts`,
            evidence: { contactHash: link.link.slice('contact:'.length), sellers: link.sellers },
          },
        });
      }
    }
    return out;
  }

  private priceFraction(event: VigilEvent, f: EventFacts): number {
    const price = (event.data as ListingCreated).price?.amount ?? 0;
    const median =
      f.price && f.price.productMedian > 0 ? f.price.productMedian : (f.price?.categoryMedian ?? -1);
    return median > 0 ? price / median : 1;
  }

  // ---- fund flow: taint over wallet transfers ---------------------------------------------

  /**
   * Taint is idempotent (a wallet keeps its shortest distance), so redelivery needs no dedupe.
   * Reads every wallet of the batch in one round trip, propagates in event order in memory,
   * writes the changed ones (with TTL) in a second.
   */
  private async propagateTaint(events: VigilEvent[]): Promise<SignalDraft[]> {
    const walletEvents = events.filter((e) => e.type === 'wallet.transfer' || e.type === 'wallet.flagged');
    if (walletEvents.length === 0) return [];
    const key = (tenantId: string, wallet: string) => this.keys.entity(tenantId, 'wallet', wallet, 'taint');
    const wanted = new Set<string>();
    for (const e of walletEvents) {
      if (e.type === 'wallet.flagged') wanted.add(key(e.tenantId, (e.data as WalletFlagged).wallet));
      else {
        const d = e.data as WalletTransfer;
        wanted.add(key(e.tenantId, d.fromWallet));
        wanted.add(key(e.tenantId, d.toWallet));
      }
    }
    const keys = [...wanted];
    redisRoundTrips.inc({ operation: 'seller-detectors.taint-read' });
    const values = await execBatch<string | null>(
      this.redis,
      keys.map((k) => ({ key: k, queue: (p) => p.get(k) })),
    );
    const taint = new Map<string, Taint | null>(
      keys.map((k, i) => [k, values[i] ? (JSON.parse(String(values[i])) as Taint) : null]),
    );
    const changed = new Set<string>();
    const drafts: SignalDraft[] = [];
    for (const e of walletEvents) {
      if (e.type === 'wallet.flagged') {
        const d = e.data as WalletFlagged;
        const k = key(e.tenantId, d.wallet);
        const current = taint.get(k);
        if (!current || current.hops > 0) {
          taint.set(k, {
            hops: 0,
            path: [d.wallet],
            flaggedBy: { eventId: e.id, occurredAt: e.occurredAt, reason: d.reason },
            transfers: [],
          });
          changed.add(k);
        }
        continue;
      }
      const d = e.data as WalletTransfer;
      const source = taint.get(key(e.tenantId, d.fromWallet));
      if (!source) continue;
      if (d.kind === 'deposit') {
        const severity = taintSeverity(source.hops);
        const path = [...source.path, d.toWallet];
        drafts.push({
          rule: SELLER_RULES.taintedDeposit,
          severity,
          trigger: e,
          subject: d.accountId
            ? { type: 'account', id: d.accountId, tenantId: e.tenantId }
            : { type: 'wallet', id: d.toWallet, tenantId: e.tenantId },
          measurements: [
            { name: 'taint.hops', value: source.hops, threshold: 2, comparator: '<=' },
            { name: 'deposit.amount', value: d.amount },
          ],
          related: [
            {
              eventId: source.flaggedBy.eventId,
              type: 'wallet.flagged',
              occurredAt: source.flaggedBy.occurredAt,
            },
            ...source.transfers.map((x) => ({ ...x, type: 'wallet.transfer' as const })),
          ],
          reason: `deposit of ${d.amount} ${d.asset} from a wallet ${source.hops} hop(s) from flagged wallet ${source.path[0]} (${source.flaggedBy.reason}): ${path.join(' -> ')}`,
          evidence: {
            path,
            hops: source.hops,
            flaggedWallet: source.path[0],
            flagReason: source.flaggedBy.reason,
            transfers: [...source.transfers, { eventId: e.id, occurredAt: e.occurredAt }],
          },
        });
      }
      if (source.hops >= 2) continue;
      const target = key(e.tenantId, d.toWallet);
      const existing = taint.get(target);
      if (!existing || existing.hops > source.hops + 1) {
        taint.set(target, {
          hops: source.hops + 1,
          path: [...source.path, d.toWallet],
          flaggedBy: source.flaggedBy,
          transfers: [...source.transfers, { eventId: e.id, occurredAt: e.occurredAt }],
        });
        changed.add(target);
      }
    }
    if (changed.size > 0) {
      redisRoundTrips.inc({ operation: 'seller-detectors.taint-write' });
      await execBatch(
        this.redis,
        [...changed].map((k) => ({
          key: k,
          queue: (p) => p.set(k, JSON.stringify(taint.get(k)), 'PX', this.ms.taintTtl),
        })),
      );
    }
    return drafts;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private sellerKey(tenantId: string, sellerId: string): string {
    return this.keys.entity(tenantId, 'seller', sellerId, 'sd');
  }

  private linkKey(tenantId: string, link: string): string {
    const [kind, ...rest] = link.split(':');
    return this.keys.entity(tenantId, `link-${kind}`, rest.join(':'));
  }

  /** A script's arguments: its keys (all of one entity, one slot), counted when it takes any number. */
  private scriptArgs(script: LuaScript, keys: string[], args: (string | number)[]): (string | number)[] {
    return script.numberOfKeys === undefined ? [keys.length, ...keys, ...args] : [...keys, ...args];
  }

  private call(script: LuaScript, keys: string[], args: (string | number)[]): BatchCommand {
    return { key: keys[0], queue: (p) => queueScript(p, script.name, this.scriptArgs(script, keys, args)) };
  }

  private async script<T>(script: LuaScript, keys: string[], args: (string | number)[]): Promise<T> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<T>>)[
      script.name
    ];
    return command.call(this.redis, ...this.scriptArgs(script, keys, args));
  }
}

function sellerOf(event: VigilEvent): string | undefined {
  const d = event.data as unknown as Record<string, unknown>;
  if (event.type.startsWith('listing.') || event.type.startsWith('order.')) return d['sellerId'] as string;
  if (event.type.startsWith('account.')) return d['accountId'] as string;
  return undefined;
}

function parseChain(raw: string | undefined): ChainLink | undefined {
  return raw ? (JSON.parse(raw) as ChainLink) : undefined;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw; // stored by an older version as plain text: show it as it is
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
