import { buildSignal, EventEnvelope, FraudSignal, Measurement, RuleMode, Severity, SubjectType } from '@vigil/contracts';
import { signatureSimilarity } from '@vigil/text-similarity';
import { ReviewAnalysisConfig } from '../config';
import { RatingHistogram, ReviewFacts, TargetRatings } from './review-state.store';

export type ReviewEvent = EventEnvelope<'review.posted'>;

/**
 * Rule ids and versions: bump the version whenever a rule's logic changes (or its signal ids do:
 * version 2 = the shared @vigil/contracts signal id).
 */
export const REVIEW_RULES = {
  burst: { id: 'review-burst', version: 2 },
  ratingShift: { id: 'review-rating-shift', version: 2 },
  selfDealing: { id: 'review-self-dealing', version: 2 },
  paddingProfile: { id: 'review-padding-profile', version: 2 },
  forHire: { id: 'reviewer-for-hire', version: 2 },
  lockstep: { id: 'review-lockstep', version: 2 },
  textCampaign: { id: 'review-text-campaign', version: 2 },
} as const;
type Rule = (typeof REVIEW_RULES)[keyof typeof REVIEW_RULES];

const DAY_MS = 86_400_000;
const SOURCE = 'review-analysis';

export type DetectorConfig = Omit<ReviewAnalysisConfig, 'PORT' | 'KAFKA_BROKERS' | 'VIGIL_TOPIC_PREFIX' | 'REDIS_URL' | 'REDIS_CLUSTER' | 'REDIS_KEY_PREFIX' | 'LOG_LEVEL'>;

interface Finding {
  rule: Rule;
  subjectType: SubjectType;
  subjectId: string;
  severity: Severity;
  mode?: RuleMode;
  reason: string;
  measurements: Measurement[];
  evidence: Record<string, unknown>;
}

function toSignal(event: ReviewEvent, finding: Finding, detectedAt: string): FraudSignal {
  return buildSignal(
    {
      ruleId: finding.rule.id,
      ruleVersion: finding.rule.version,
      mode: finding.mode ?? 'enforce',
      severity: finding.severity,
      subject: { type: finding.subjectType, id: finding.subjectId, tenantId: event.tenantId },
      reason: finding.reason,
      measurements: finding.measurements,
      evidence: { reviewId: event.data.reviewId, authorId: event.data.authorId, sellerId: event.data.sellerId, productId: event.data.productId, rating: event.data.rating, ...finding.evidence },
    },
    event,
    detectedAt,
    SOURCE,
  );
}

const sum = (h: RatingHistogram) => h.reduce((a, b) => a + b, 0);
const mean = (h: RatingHistogram) => h.reduce((a, c, i) => a + c * (i + 1), 0) / Math.max(1, sum(h));
const round = (n: number) => Math.round(n * 1000) / 1000;

/** Bursts of the review's own rating (5 or 1 star) against the target's baseline rate. */
function burst(event: ReviewEvent, type: 'seller' | 'product', id: string, r: TargetRatings, c: DetectorConfig): Finding[] {
  const rating = event.data.rating;
  if (rating !== 5 && rating !== 1) return [];
  const count = r.window[rating - 1];
  const windowsPerBaseline = (c.REVIEW_BURST_BASELINE_DAYS * 24) / c.REVIEW_BURST_WINDOW_HOURS;
  const baselineRate = r.baseline[rating - 1] / windowsPerBaseline;
  const threshold = Math.max(c.REVIEW_BURST_MIN_REVIEWS, c.REVIEW_BURST_FACTOR * Math.max(baselineRate, c.REVIEW_BURST_BASELINE_FLOOR));
  if (count < threshold) return [];
  const window = `${c.REVIEW_BURST_WINDOW_HOURS}h`;
  const share = count / Math.max(1, sum(r.window));
  return [
    {
      rule: REVIEW_RULES.burst,
      subjectType: type,
      subjectId: id,
      severity: count >= 2 * threshold ? 'high' : 'medium',
      reason: `${count} ${rating}-star reviews of ${type} ${id} within ${window} (threshold ${round(threshold)}; baseline ${round(baselineRate)} per window)`,
      measurements: [
        { name: `reviews.${rating}star.count`, value: count, threshold: round(threshold), comparator: '>=', window },
        { name: `reviews.${rating}star.baseline_per_window`, value: round(baselineRate), window: `${c.REVIEW_BURST_BASELINE_DAYS}d` },
        { name: `reviews.${rating}star.share_in_window`, value: round(share), window },
      ],
      evidence: { ratingMixInWindow: r.window, ratingMixBaseline: r.baseline },
    },
  ];
}

/** The rating distribution moved sharply: mean and total variation distance both beyond limits. */
function ratingShift(type: 'seller' | 'product', id: string, r: TargetRatings, c: DetectorConfig): Finding[] {
  const nRecent = sum(r.recent);
  const nHistory = sum(r.history);
  if (nRecent < c.REVIEW_SHIFT_MIN_RECENT || nHistory < c.REVIEW_SHIFT_MIN_HISTORY) return [];
  const delta = mean(r.recent) - mean(r.history);
  const distance = r.recent.reduce((acc, v, i) => acc + Math.abs(v / nRecent - r.history[i] / nHistory), 0) / 2;
  if (Math.abs(delta) < c.REVIEW_SHIFT_MIN_MEAN_DELTA || distance < c.REVIEW_SHIFT_MIN_DISTANCE) return [];
  const recent = `${c.REVIEW_SHIFT_RECENT_DAYS}d`;
  return [
    {
      rule: REVIEW_RULES.ratingShift,
      subjectType: type,
      subjectId: id,
      severity: 'medium',
      reason: `mean rating of ${type} ${id} moved from ${round(mean(r.history))} to ${round(mean(r.recent))} stars in the last ${recent} (${nRecent} reviews vs ${nHistory} before)`,
      measurements: [
        { name: 'rating.mean_delta', value: round(delta), threshold: c.REVIEW_SHIFT_MIN_MEAN_DELTA, comparator: '|>=|', window: recent },
        { name: 'rating.total_variation_distance', value: round(distance), threshold: c.REVIEW_SHIFT_MIN_DISTANCE, comparator: '>=', window: recent },
        { name: 'reviews.recent', value: nRecent, threshold: c.REVIEW_SHIFT_MIN_RECENT, comparator: '>=', window: recent },
        { name: 'reviews.history', value: nHistory, threshold: c.REVIEW_SHIFT_MIN_HISTORY, comparator: '>=', window: `${c.REVIEW_SHIFT_HISTORY_DAYS}d` },
      ],
      evidence: { recentRatings: r.recent, historyRatings: r.history },
    },
  ];
}

function accountAgeDays(createdMs: number, atMs: number): number | undefined {
  return createdMs < 0 ? undefined : (atMs - createdMs) / DAY_MS;
}

/** Reviewer linked to the seller (shared device, IP, payment/payout fingerprint, address), or a padding profile. */
function selfDealing(event: ReviewEvent, f: ReviewFacts, c: DetectorConfig): Finding[] {
  const { authorId, sellerId } = event.data;
  const ageDays = accountAgeDays(f.authorCreatedMs, Date.parse(event.occurredAt));
  const isNew = ageDays !== undefined && ageDays < c.REVIEW_NEW_ACCOUNT_DAYS;
  const soleSeller = f.sellersBoughtFrom === 1 && f.ordersAtSeller > 0;
  const profile = { accountAgeDays: ageDays === undefined ? null : round(ageDays), sellersBoughtFrom: f.sellersBoughtFrom, ordersAtSeller: f.ordersAtSeller };
  if (f.sharedLinks.length > 0) {
    // A shared IP alone can be a carrier NAT or a café; device, money and address links are strong.
    const strong = f.sharedLinks.some((l) => !l.startsWith('ip:'));
    return [
      {
        rule: REVIEW_RULES.selfDealing,
        subjectType: 'seller',
        subjectId: sellerId,
        severity: strong ? 'high' : 'medium',
        reason: `reviewer ${authorId} shares ${f.sharedLinks.join(', ')} with seller ${sellerId}`,
        measurements: [{ name: 'shared_links', value: f.sharedLinks.length, threshold: 1, comparator: '>=' }],
        evidence: { sharedLinks: f.sharedLinks, reviewerProfile: profile },
      },
    ];
  }
  if (soleSeller && isNew && event.data.rating >= 4) {
    return [
      {
        rule: REVIEW_RULES.paddingProfile,
        subjectType: 'seller',
        subjectId: sellerId,
        severity: 'low',
        mode: c.REVIEW_PROFILE_MODE,
        reason: `reviewer ${authorId} is ${round(ageDays ?? 0)} days old and bought only from seller ${sellerId}`,
        measurements: [
          { name: 'account.age_days', value: round(ageDays ?? 0), threshold: c.REVIEW_NEW_ACCOUNT_DAYS, comparator: '<' },
          { name: 'sellers_bought_from', value: f.sellersBoughtFrom, threshold: 1, comparator: '==' },
        ],
        evidence: { reviewerProfile: profile },
      },
    ];
  }
  return [];
}

function forHire(event: ReviewEvent, f: ReviewFacts, c: DetectorConfig): Finding[] {
  if (f.sellersReviewed < c.REVIEW_HIRE_MIN_SELLERS) return [];
  const window = `${c.REVIEW_HIRE_WINDOW_HOURS}h`;
  return [
    {
      rule: REVIEW_RULES.forHire,
      subjectType: 'account',
      subjectId: event.data.authorId,
      severity: 'medium',
      reason: `account ${event.data.authorId} reviewed ${f.sellersReviewed} distinct sellers within ${window}`,
      measurements: [{ name: 'distinct_sellers_reviewed', value: f.sellersReviewed, threshold: c.REVIEW_HIRE_MIN_SELLERS, comparator: '>=', window }],
      evidence: { sellersReviewed: f.sellersReviewedSample },
    },
  ];
}

function lockstep(event: ReviewEvent, f: ReviewFacts, c: DetectorConfig): Finding[] {
  const peers = [...f.lockstepPeers].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const group = peers.length + 1;
  if (group < c.REVIEW_LOCKSTEP_MIN_GROUP) return [];
  const window = `${c.REVIEW_HIRE_WINDOW_HOURS}h`;
  return [
    {
      rule: REVIEW_RULES.lockstep,
      subjectType: 'account',
      subjectId: event.data.authorId,
      severity: 'medium',
      reason: `${group} accounts (with ${event.data.authorId}) each reviewed at least ${c.REVIEW_LOCKSTEP_MIN_SHARED} of the same items within ${window}`,
      measurements: [
        { name: 'lockstep_group_size', value: group, threshold: c.REVIEW_LOCKSTEP_MIN_GROUP, comparator: '>=', window },
        { name: 'items_reviewed', value: f.itemsReviewed.length, threshold: c.REVIEW_LOCKSTEP_MIN_SHARED, comparator: '>=', window },
      ],
      evidence: { groupMembers: peers.map(([account, shared]) => ({ account, sharedItems: shared })), itemsReviewed: f.itemsReviewed },
    },
  ];
}

/** Near-duplicate texts from several distinct accounts against the seller, weighted by account newness. */
function textCampaign(event: ReviewEvent, f: ReviewFacts, ownSignature: string | undefined, c: DetectorConfig): Finding[] {
  if (!ownSignature) return [];
  const weightOf = (createdMs: number, atMs: number) => {
    const age = accountAgeDays(createdMs, atMs);
    return 1 + (age !== undefined && age < c.REVIEW_NEW_ACCOUNT_DAYS ? c.REVIEW_TEXT_NEW_ACCOUNT_WEIGHT : 0);
  };
  const eventMs = Date.parse(event.occurredAt);
  const accounts = new Map<string, number>([[event.data.authorId, weightOf(f.authorCreatedMs, eventMs)]]);
  const matches: { reviewId: string; authorId: string; occurredAt: string; similarity: number }[] = [];
  for (const [member, signature, createdMs] of f.textCandidates) {
    const similarity = signatureSimilarity(ownSignature, signature);
    if (similarity < c.REVIEW_TEXT_MIN_SIMILARITY) continue;
    const [reviewId, authorId, timeMs] = member.split('|');
    matches.push({ reviewId, authorId, occurredAt: new Date(Number(timeMs)).toISOString(), similarity: round(similarity) });
    accounts.set(authorId, Math.max(accounts.get(authorId) ?? 0, weightOf(createdMs, Number(timeMs))));
  }
  const weight = [...accounts.values()].reduce((a, b) => a + b, 0);
  if (accounts.size < c.REVIEW_TEXT_MIN_ACCOUNTS || weight < c.REVIEW_TEXT_MIN_WEIGHT) return [];
  const window = `${c.REVIEW_TEXT_WINDOW_HOURS}h`;
  const newAccounts = [...accounts.values()].filter((w) => w > 1).length;
  matches.sort((a, b) => b.similarity - a.similarity || a.reviewId.localeCompare(b.reviewId));
  return [
    {
      rule: REVIEW_RULES.textCampaign,
      subjectType: 'seller',
      subjectId: event.data.sellerId,
      severity: newAccounts * 2 >= accounts.size ? 'high' : 'medium',
      reason: `${accounts.size} accounts (${newAccounts} new) posted near-duplicate texts about seller ${event.data.sellerId} within ${window}`,
      measurements: [
        { name: 'distinct_accounts', value: accounts.size, threshold: c.REVIEW_TEXT_MIN_ACCOUNTS, comparator: '>=', window },
        { name: 'weighted_accounts', value: weight, threshold: c.REVIEW_TEXT_MIN_WEIGHT, comparator: '>=', window },
        { name: 'new_accounts', value: newAccounts },
        { name: 'min_similarity', value: c.REVIEW_TEXT_MIN_SIMILARITY },
      ],
      evidence: { matchingReviews: matches.slice(0, 50), accounts: [...accounts.keys()].slice(0, 50) },
    },
  ];
}

/** Every detector on one review's facts. Pure: same event and facts, same signals. */
export function detectReviewSignals(
  event: ReviewEvent,
  facts: ReviewFacts,
  ownSignature: string | undefined,
  config: DetectorConfig,
  detectedAt: string,
): FraudSignal[] {
  const { sellerId, productId } = event.data;
  const findings: Finding[] = [
    ...burst(event, 'seller', sellerId, facts.seller, config),
    ...(productId && facts.product ? burst(event, 'product', productId, facts.product, config) : []),
    ...ratingShift('seller', sellerId, facts.seller, config),
    ...(productId && facts.product ? ratingShift('product', productId, facts.product, config) : []),
    ...selfDealing(event, facts, config),
    ...forHire(event, facts, config),
    ...lockstep(event, facts, config),
    ...textCampaign(event, facts, ownSignature, config),
  ];
  return findings.map((f) => toSignal(event, f, detectedAt));
}
