import { createHash } from 'node:crypto';
import { EventRef, FraudSignal, Measurement, RuleMode, Severity, Subject, validateMessage, VigilEvent } from '@vigil/contracts';

export interface SignalSpec {
  ruleId: string;
  ruleVersion: number;
  mode: RuleMode;
  severity: Severity;
  subject: Subject;
  reason: string;
  measurements: Measurement[];
  evidence?: Record<string, unknown>;
}

/** Deterministic: the same rule, subject and triggering event always give the same id. */
export function signalId(ruleId: string, ruleVersion: number, subject: Subject, eventId: string): string {
  const digest = createHash('sha256')
    .update([ruleId, ruleVersion, subject.tenantId, subject.type, subject.id, eventId].join('\u0000'))
    .digest('hex');
  return `sig-${digest.slice(0, 40)}`;
}

/** Builds and validates a FraudSignal for one triggering event; throws if it breaks the contract. */
export function buildSignal(spec: SignalSpec, event: VigilEvent, detectedAt: Date): FraudSignal {
  const trigger: EventRef = { eventId: event.id, type: event.type, occurredAt: event.occurredAt };
  const signal: FraudSignal = {
    signalId: signalId(spec.ruleId, spec.ruleVersion, spec.subject, event.id),
    schemaVersion: 1,
    ruleId: spec.ruleId,
    ruleVersion: spec.ruleVersion,
    source: 'velocity',
    mode: spec.mode,
    severity: spec.severity,
    subject: spec.subject,
    reason: spec.reason.slice(0, 1000),
    measurements: spec.measurements.slice(0, 50),
    triggeringEvents: [trigger],
    occurredAt: event.occurredAt,
    detectedAt: detectedAt.toISOString(),
    ...(spec.evidence ? { evidence: spec.evidence } : {}),
    ...(event.correlationId ? { correlationId: event.correlationId } : {}),
    causationId: event.id,
  };
  const checked = validateMessage(FraudSignal, signal);
  if (!checked.ok) {
    throw new Error(`signal ${spec.ruleId} breaks the contract: ${checked.errors.map((e) => `${e.field}: ${e.reason}`).join('; ')}`);
  }
  return signal;
}
