import { buildSignal, EventRef, FraudSignal, Measurement, Severity, SubjectType, VigilEvent } from '@vigil/contracts';

export const SIGNAL_SOURCE = 'seller-detectors';

/**
 * Rule ids and versions of this lib: bump the version when a detector's logic changes (or its
 * signal ids do: version 2 = the shared @vigil/contracts signal id, which includes the version).
 */
export const SELLER_RULES = {
  listingSpike: { id: 'seller.listing-spike', version: 2 },
  dumpingPrices: { id: 'seller.dumping-prices', version: 2 },
  contactBait: { id: 'seller.contact-bait', version: 2 },
  contactRing: { id: 'seller.contact-ring', version: 2 },
  takeoverChain: { id: 'seller.takeover-chain', version: 2 },
  salesSpike: { id: 'seller.sales-spike', version: 2 },
  exitScam: { id: 'seller.exit-scam', version: 2 },
  reRegistration: { id: 'seller.re-registration', version: 2 },
  taintedDeposit: { id: 'funds.tainted-deposit', version: 2 },
} as const;
export type SellerRule = (typeof SELLER_RULES)[keyof typeof SELLER_RULES];

export interface SignalDraft {
  rule: SellerRule;
  severity: Severity;
  subject: { type: SubjectType; id: string; tenantId: string };
  reason: string;
  measurements: Measurement[];
  /** The event that tipped the detector; its id makes the signal id. */
  trigger: VigilEvent;
  /** Further events of the evidence (ids + times), e.g. the takeover chain. */
  related?: EventRef[];
  evidence?: Record<string, unknown>;
}

/** Fills the shared signal spec from a detector's draft; @vigil/contracts buildSignal builds and validates it. */
export function sellerSignal(draft: SignalDraft, detectedAt: Date = new Date()): FraudSignal {
  return buildSignal(
    {
      ruleId: draft.rule.id,
      ruleVersion: draft.rule.version,
      mode: 'enforce',
      severity: draft.severity,
      subject: draft.subject,
      reason: draft.reason,
      measurements: draft.measurements,
      evidence: draft.evidence,
    },
    [draft.trigger, ...(draft.related ?? [])],
    detectedAt,
    SIGNAL_SOURCE,
  );
}
