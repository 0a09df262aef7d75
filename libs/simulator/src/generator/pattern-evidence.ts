import { EntityLabel } from './labels';

/**
 * The rule(s) whose signal is the expected evidence of each injected pattern (docs/threats.md):
 * an alert on one of the pattern's fraud-labelled entities must carry at least one of them.
 */
export const PATTERN_EVIDENCE_RULES: Readonly<Record<string, readonly string[]>> = {
  'hijacked-seller': [
    'seller.listing-spike',
    'seller.dumping-prices',
    'seller.contact-bait',
    'seller.takeover-chain',
  ],
  'sales-spike': ['seller.sales-spike'],
  'exit-scam': ['seller.exit-scam'],
  'card-testing': ['card-testing'],
  'promo-abuse': ['promo-code-abuse', 'device-multi-accounting', 'new-account-on-shared-device'],
  'return-abuse': ['return-abuse'],
  'new-account-high-value': ['high-value-new-account'],
  'review-padding': ['review-self-dealing', 'review-padding-profile'],
  'reviewers-for-hire': ['reviewer-for-hire', 'review-lockstep'],
  'complaint-campaign': ['review-text-campaign'],
  'tainted-deposits': ['funds.tainted-deposit'],
};

/** Which expected rules fired on each injected pattern's entities (an empty list: the pattern was missed). */
export function patternEvidence(
  labels: readonly EntityLabel[],
  alerts: readonly { subject: { id: string }; signals: readonly { ruleId: string }[] }[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pattern of new Set(labels.filter((l) => l.label === 'fraud').map((l) => l.pattern))) {
    const entities = new Set(
      labels.filter((l) => l.pattern === pattern && l.label === 'fraud').map((l) => l.entityId),
    );
    const expected = PATTERN_EVIDENCE_RULES[pattern] ?? [];
    const fired = alerts
      .filter((a) => entities.has(a.subject.id))
      .flatMap((a) => a.signals.map((s) => s.ruleId).filter((r) => expected.includes(r)));
    out.set(pattern, [...new Set(fired)].sort());
  }
  return out;
}
