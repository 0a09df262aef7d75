import { EntityEventResult, isEvaluated, OnceClaim, parseDuration } from '@vigil/counters';
import { buildSignal, FraudSignal, Subject, SUBJECT_TYPES, SubjectType, VigilEvent, eventTimeMs } from '@vigil/contracts';
import { evaluateCondition, renderReason, RuleDefinition } from '@vigil/rules';
import { eventMetrics, Touch } from './event-features';
import { parseListEntry, suppresses } from './list-entry';

/** A signal that may be published once its "fired in this window bucket" claim succeeds. */
export interface CandidateSignal {
  signal: FraudSignal;
  claim: OnceClaim;
}

export interface RuleRunResult {
  candidates: CandidateSignal[];
  /** Rule ids an allow-list entry suppressed (for the metric). */
  suppressed: string[];
}

/** The source of every signal velocity's own rules emit. */
export const SIGNAL_SOURCE = 'velocity';

export const DENY_LIST_RULE = { id: 'deny-list', version: 1, window: '1h' } as const;

const isSubjectType = (type: string): type is SubjectType => (SUBJECT_TYPES as readonly string[]).includes(type);

function claimFor(touch: Touch, event: VigilEvent, ruleId: string, window: string, lateness: number, signal: FraudSignal): OnceClaim {
  const windowMs = parseDuration(window);
  const bucket = Math.floor(eventTimeMs(event) / windowMs);
  return {
    entity: { tenantId: event.tenantId, type: touch.type, id: touch.id },
    name: `fired:${ruleId}:${window}:${bucket}`,
    value: signal.signalId,
    ttlMs: windowMs + lateness,
  };
}

/**
 * Pure: evaluates the rules for one event given the counters engine's results, and returns the
 * signals to publish (each with its at-most-once-per-bucket claim). Deny-list hits of any entity
 * of the event become signals; an allow entry on any entity of the event suppresses the rules it names.
 */
export function runRules(
  event: VigilEvent,
  touches: Touch[],
  results: EntityEventResult[],
  rules: readonly RuleDefinition[],
  allowedLatenessMs: number,
  now: Date,
): RuleRunResult {
  const candidates: CandidateSignal[] = [];
  const suppressed: string[] = [];
  const entries = results.map((r) => parseListEntry(r.listEntry));
  const metrics = eventMetrics(event, touches, results);
  const subjectOf = (type: SubjectType): { touch: Touch; subject: Subject } | undefined => {
    const touch = touches.find((t) => t.type === type);
    return touch && { touch, subject: { type, id: touch.id, tenantId: event.tenantId } };
  };

  touches.forEach((touch, i) => {
    const entry = entries[i];
    if (entry?.list !== 'deny' || !isEvaluated(results[i].status)) return;
    // An e-mail domain is not a subject of its own: the signal is about the account using it.
    const target = isSubjectType(touch.type)
      ? { touch, subject: { type: touch.type, id: touch.id, tenantId: event.tenantId } }
      : subjectOf('account');
    if (!target) return;
    const signal = buildSignal(
      {
        ruleId: DENY_LIST_RULE.id,
        ruleVersion: DENY_LIST_RULE.version,
        mode: 'enforce',
        severity: 'high',
        subject: target.subject,
        reason: `${touch.type} ${touch.id} is on the deny list: ${entry.reason}`,
        measurements: [],
        evidence: { listedEntity: { type: touch.type, id: touch.id }, addedAt: entry.addedAt },
      },
      event,
      now,
      SIGNAL_SOURCE,
    );
    candidates.push({ signal, claim: claimFor(target.touch, event, `${DENY_LIST_RULE.id}-${touch.type}`, DENY_LIST_RULE.window, allowedLatenessMs, signal) });
  });

  for (const rule of rules) {
    if (!rule.events.includes(event.type)) continue;
    const target = subjectOf(rule.subject);
    if (!target) continue;
    const evaluation = evaluateCondition(rule.when, metrics);
    if (!evaluation.fired) continue;
    if (entries.some((entry) => suppresses(entry, rule.id))) {
      suppressed.push(rule.id);
      continue;
    }
    const signal = buildSignal(
      {
        ruleId: rule.id,
        ruleVersion: rule.version,
        mode: rule.mode,
        severity: rule.severity,
        subject: target.subject,
        reason: renderReason(rule, metrics),
        measurements: evaluation.measurements,
        // The event's entities, so an analyst searching by any of them (the device shared by
        // several accounts, say) finds this alert (alerting indexes {type, id} evidence).
        evidence: { window: rule.window, entities: touches.map((t) => ({ type: t.type, id: t.id })) },
      },
      event,
      now,
      SIGNAL_SOURCE,
    );
    candidates.push({ signal, claim: claimFor(target.touch, event, rule.id, rule.window, allowedLatenessMs, signal) });
  }
  return { candidates, suppressed };
}
