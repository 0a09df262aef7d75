import { createHash } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EventRef, flattenValidationErrors, FraudSignal, Measurement, Severity, SubjectType, VigilEvent } from '@vigil/contracts';

export const SIGNAL_SOURCE = 'seller-detectors';

/** Rule ids and versions of this lib: bump the version when a detector's logic changes. */
export const SELLER_RULES = {
  listingSpike: { id: 'seller.listing-spike', version: 1 },
  dumpingPrices: { id: 'seller.dumping-prices', version: 1 },
  contactBait: { id: 'seller.contact-bait', version: 1 },
  contactRing: { id: 'seller.contact-ring', version: 1 },
  takeoverChain: { id: 'seller.takeover-chain', version: 1 },
  salesSpike: { id: 'seller.sales-spike', version: 1 },
  exitScam: { id: 'seller.exit-scam', version: 1 },
  reRegistration: { id: 'seller.re-registration', version: 1 },
  taintedDeposit: { id: 'funds.tainted-deposit', version: 1 },
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

export function eventRef(event: Pick<VigilEvent, 'id' | 'type' | 'occurredAt'>): EventRef {
  return { eventId: event.id, type: event.type, occurredAt: event.occurredAt };
}

/** Deterministic: the same rule, subject and triggering event always give the same id. */
export function signalId(ruleId: string, subject: SignalDraft['subject'], triggerEventId: string): string {
  const digest = createHash('sha256')
    .update([ruleId, subject.tenantId, subject.type, subject.id, triggerEventId].join('\u0000'))
    .digest('hex');
  return `sig-${digest.slice(0, 40)}`;
}

/** Builds a FraudSignal and validates it against the contract: an invalid signal is a bug, thrown. */
export function buildSignal(draft: SignalDraft, detectedAt: Date = new Date()): FraudSignal {
  const triggering = [eventRef(draft.trigger), ...(draft.related ?? []).filter((r) => r.eventId !== draft.trigger.id)];
  const signal = plainToInstance(FraudSignal, {
    signalId: signalId(draft.rule.id, draft.subject, draft.trigger.id),
    schemaVersion: 1,
    ruleId: draft.rule.id,
    ruleVersion: draft.rule.version,
    source: SIGNAL_SOURCE,
    mode: 'enforce',
    severity: draft.severity,
    subject: draft.subject,
    reason: draft.reason.slice(0, 1000),
    measurements: draft.measurements.slice(0, 50),
    triggeringEvents: triggering.slice(0, 100),
    evidence: draft.evidence,
    occurredAt: draft.trigger.occurredAt,
    detectedAt: detectedAt.toISOString(),
    correlationId: draft.trigger.correlationId,
    causationId: draft.trigger.id,
  });
  const errors = flattenValidationErrors(validateSync(signal, { whitelist: true, forbidNonWhitelisted: true }));
  if (errors.length > 0) {
    throw new Error(`invalid ${draft.rule.id} signal: ${errors.map((e) => `${e.field}: ${e.reason}`).join('; ')}`);
  }
  return signal;
}
