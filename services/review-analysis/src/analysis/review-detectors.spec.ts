import { loadConfig } from '@vigil/config';
import { textSignature } from '@vigil/text-similarity';
import { ReviewAnalysisConfig } from '../config';
import { detectReviewSignals, ReviewEvent } from './review-detectors';
import { RatingHistogram, ReviewFacts } from './review-state.store';

const config = loadConfig(ReviewAnalysisConfig, {});
const DAY = 86_400_000;
const AT = '2026-10-10T12:00:00.000Z';
const zero = (): RatingHistogram => [0, 0, 0, 0, 0];

function review(overrides: Partial<ReviewEvent['data']> = {}): ReviewEvent {
  return {
    id: 'evt-1',
    type: 'review.posted',
    version: 1,
    occurredAt: AT,
    tenantId: 'm1',
    data: { reviewId: 'r-1', authorId: 'a-1', sellerId: 's-1', rating: 5, text: 'fine', ...overrides },
  };
}

function facts(overrides: Partial<ReviewFacts> = {}): ReviewFacts {
  const ratings = { window: zero(), baseline: zero(), recent: zero(), history: zero() };
  return {
    authorCreatedMs: Date.parse(AT) - 400 * DAY,
    sharedLinks: [],
    sellersBoughtFrom: 3,
    ordersAtSeller: 1,
    seller: ratings,
    sellersReviewed: 1,
    sellersReviewedSample: [],
    itemsReviewed: [],
    lockstepPeers: [],
    textCandidates: [],
    ...overrides,
  };
}

const rules = (event: ReviewEvent, f: ReviewFacts, sig?: string) => detectReviewSignals(event, f, sig, config, AT).map((s) => s.ruleId);

describe('review detectors', () => {
  it('emits nothing for an ordinary review', () => {
    expect(rules(review(), facts())).toEqual([]);
  });

  it('scales the burst threshold with the baseline rate', () => {
    const window: RatingHistogram = [0, 0, 0, 0, 9];
    expect(rules(review(), facts({ seller: { window, baseline: zero(), recent: zero(), history: zero() } }))).toEqual(['review-burst']);
    // 14 days x 24 windows x 0.2 per window -> threshold 5 x 0.2 = 1 < 8: still the minimum 8.
    const quiet: RatingHistogram = [0, 0, 0, 0, 67];
    expect(rules(review(), facts({ seller: { window, baseline: quiet, recent: zero(), history: zero() } }))).toEqual(['review-burst']);
    // 2 per hour on average -> threshold 10 > 9.
    const busy: RatingHistogram = [0, 0, 0, 0, 672];
    expect(rules(review(), facts({ seller: { window, baseline: busy, recent: zero(), history: zero() } }))).toEqual([]);
  });

  it('gives the same signal id for the same rule, subject and event', () => {
    const f = facts({ sharedLinks: ['money:card-1'] });
    const [a] = detectReviewSignals(review(), f, undefined, config, AT);
    const [b] = detectReviewSignals(review(), f, undefined, config, '2030-01-01T00:00:00.000Z');
    expect(a.signalId).toBe(b.signalId);
    expect(a.severity).toBe('high');
  });

  it('rates an IP-only link as medium', () => {
    const [signal] = detectReviewSignals(review(), facts({ sharedLinks: ['ip:10.0.0.1'] }), undefined, config, AT);
    expect(signal.severity).toBe('medium');
  });

  it('weights new accounts in a text campaign', () => {
    const text = 'This seller is a total scam: I paid 300 euros for a phone, it never shipped and support ignores every message.';
    const sig = textSignature(text)?.signature ?? '';
    const t = Date.parse(AT) - 3_600_000;
    const candidate = (i: number, createdMs: number): [string, string, number] => [`r-${i}|a-${i + 10}|${t}`, sig, createdMs];
    const old = Date.parse(AT) - 400 * DAY;
    // 3 established accounts: weight 3 < 4.
    expect(rules(review(), facts({ textCandidates: [candidate(1, old), candidate(2, old)] }), sig)).toEqual([]);
    // one of them new: weight 4.
    expect(rules(review(), facts({ textCandidates: [candidate(1, old), candidate(2, t - DAY)] }), sig)).toEqual(['review-text-campaign']);
  });
});
