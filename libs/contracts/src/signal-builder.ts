import { createHash } from 'node:crypto';
import { EventType } from './event-types';
import { EventRef, FraudSignal, Measurement, RuleMode, Severity, Subject } from './signals';
import { SCHEMA_HEADER } from './decode-message';
import { validateMessage } from './validate-message';

/** Schema version of the FraudSignal every producer writes. */
export const SIGNAL_SCHEMA_VERSION = 1;

/** What a rule or detector decided; buildSignal adds the ids, times and triggering events. */
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

/** An event (or the fields of one that a signal needs). */
export interface TriggeringEvent {
  id: string;
  type: EventType;
  occurredAt: string;
  correlationId?: string;
}

/** A triggering event as a whole event or as an EventRef. */
export type SignalTrigger = TriggeringEvent | EventRef;

/** The fraud.signals record: the Kafka key, value and headers of one signal. */
export interface SignalRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function eventRef(event: SignalTrigger): EventRef {
  return 'eventId' in event
    ? { eventId: event.eventId, type: event.type, occurredAt: event.occurredAt }
    : { eventId: event.id, type: event.type, occurredAt: event.occurredAt };
}

/**
 * Deterministic: the same rule (id and version), subject and triggering event always give the
 * same id, so a redelivered event yields the same signal. sha256 of the parts, NUL-separated.
 */
export function signalId(ruleId: string, ruleVersion: number, subject: Subject, triggeringEventId: string): string {
  const digest = createHash('sha256')
    .update([ruleId, ruleVersion, subject.tenantId, subject.type, subject.id, triggeringEventId].join('\u0000'))
    .digest('hex');
  return `sig-${digest.slice(0, 40)}`;
}

/**
 * Builds and validates a FraudSignal; throws if it breaks the contract (a bug of the producer).
 * The first triggering event is the one that tipped the rule: its id makes the signal id and the
 * causationId, its correlationId (if any) is carried. Further events are evidence (duplicates are
 * dropped, at most 100 are kept). occurredAt is the event time of the latest triggering event.
 */
export function buildSignal(
  spec: SignalSpec,
  triggeringEvents: SignalTrigger | readonly SignalTrigger[],
  detectedAt: Date | string,
  source: string,
): FraudSignal {
  const triggers: readonly SignalTrigger[] = Array.isArray(triggeringEvents) ? triggeringEvents : [triggeringEvents as SignalTrigger];
  if (triggers.length === 0) throw new Error(`signal ${spec.ruleId} breaks the contract: no triggering event`);
  const refs: EventRef[] = [];
  const seen = new Set<string>();
  for (const ref of triggers.map(eventRef)) {
    if (seen.has(ref.eventId)) continue;
    seen.add(ref.eventId);
    refs.push(ref);
  }
  const trigger = triggers[0];
  const cause = refs[0];
  const latest = refs.reduce((a, b) => (Date.parse(b.occurredAt) > Date.parse(a.occurredAt) ? b : a), cause);
  const correlationId = 'eventId' in trigger ? undefined : trigger.correlationId;
  const subject: Subject = { type: spec.subject.type, id: spec.subject.id, tenantId: spec.subject.tenantId };
  const signal: FraudSignal = {
    signalId: signalId(spec.ruleId, spec.ruleVersion, subject, cause.eventId),
    schemaVersion: SIGNAL_SCHEMA_VERSION,
    ruleId: spec.ruleId,
    ruleVersion: spec.ruleVersion,
    source,
    mode: spec.mode,
    severity: spec.severity,
    subject,
    reason: spec.reason.slice(0, 1000),
    measurements: spec.measurements.slice(0, 50),
    triggeringEvents: refs.slice(0, 100),
    ...(spec.evidence !== undefined ? { evidence: spec.evidence } : {}),
    occurredAt: latest.occurredAt,
    detectedAt: typeof detectedAt === 'string' ? detectedAt : detectedAt.toISOString(),
    ...(correlationId ? { correlationId } : {}),
    causationId: cause.eventId,
  };
  const checked = validateMessage(FraudSignal, signal);
  if (!checked.ok) {
    throw new Error(`signal ${spec.ruleId} breaks the contract: ${checked.errors.map((e) => `${e.field}: ${e.reason}`).join('; ')}`);
  }
  return signal;
}

/** The one wire format of fraud.signals: keyed by tenant and subject, JSON value, routing headers. */
export function signalRecord(signal: FraudSignal): SignalRecord {
  return {
    key: `${signal.subject.tenantId}:${signal.subject.type}:${signal.subject.id}`,
    value: JSON.stringify(signal),
    headers: {
      'vigil-rule': signal.ruleId,
      'vigil-mode': signal.mode,
      'vigil-schema-version': String(signal.schemaVersion),
      // validated above (buildSignal): consumers that understand this version trust it
      [SCHEMA_HEADER]: `signal/${signal.schemaVersion}`,
    },
  };
}
