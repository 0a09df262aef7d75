import { AlertStatus, FraudAlert, FraudSignal, Severity, Subject } from '@vigil/contracts';

/** An alert as the read model holds it: the published FraudAlert plus its lifecycle. */
export interface AlertView extends FraudAlert {
  /** Largest contribution (0..1) of each rule in the score. */
  contributions: Record<string, number>;
  decisions: unknown[];
  createdAt: string;
  firstDecisionAt?: string;
  /** Who holds the alert (case work); absent: nobody. */
  assignee?: string;
  assignedAt?: string;
}

export const ALERT_SCHEMA_VERSION = 1;

/** Turns the Redis hash (flat [field, value, ...]) and the signal list into an alert. */
export function alertFromRedis(flat: string[], signalsJson: string[], decisionsJson: string[] = []): AlertView {
  const doc: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) doc[flat[i]] = flat[i + 1];
  const contributions: Record<string, number> = {};
  for (const [field, value] of Object.entries(doc)) {
    if (field.startsWith('c:')) contributions[field.slice(2)] = Number(value);
  }
  const signals = signalsJson.map((s) => JSON.parse(s) as FraudSignal);
  const alert: AlertView = {
    alertId: doc['alertId'],
    schemaVersion: ALERT_SCHEMA_VERSION,
    revision: Number(doc['revision']),
    subject: JSON.parse(doc['subject']) as Subject,
    severity: doc['severity'] as Severity,
    score: Number(doc['score']),
    status: doc['status'] as AlertStatus,
    signals,
    summary: '',
    firstSeenAt: doc['firstSeenAt'],
    lastSeenAt: doc['lastSeenAt'],
    contributions,
    decisions: decisionsJson.map((d) => JSON.parse(d) as unknown),
    createdAt: new Date(Number(doc['createdMs'])).toISOString(),
    ...(doc['firstDecisionMs'] ? { firstDecisionAt: new Date(Number(doc['firstDecisionMs'])).toISOString() } : {}),
    ...(doc['assignee'] ? { assignee: doc['assignee'], assignedAt: new Date(Number(doc['assignedMs'])).toISOString() } : {}),
  };
  const correlationId = signals.find((s) => s.correlationId)?.correlationId;
  if (correlationId) alert.correlationId = correlationId;
  alert.summary = summarize(alert);
  return alert;
}

/** "account acc-1 (tenant t): score 84 (high) from 2 rules over 3 signals: card-testing — 7 orders ...; ..." */
export function summarize(alert: Pick<AlertView, 'subject' | 'score' | 'severity' | 'signals' | 'contributions'>): string {
  const rules = Object.keys(alert.contributions);
  const latestReasonByRule = new Map<string, string>();
  for (const s of alert.signals) latestReasonByRule.set(s.ruleId, s.reason);
  const reasons = rules.map((r) => `${r}: ${latestReasonByRule.get(r) ?? 'see signals'}`).join('; ');
  const text =
    `${alert.subject.type} ${alert.subject.id} (tenant ${alert.subject.tenantId}): score ${alert.score} (${alert.severity}) ` +
    `from ${rules.length} rule${rules.length === 1 ? '' : 's'} over ${alert.signals.length} signal${alert.signals.length === 1 ? '' : 's'}. ${reasons}`;
  return text.length > 2000 ? `${text.slice(0, 1997)}...` : text;
}

/** The FraudAlert contract only (no read-model extras), as published and sent to webhooks. */
export function toFraudAlert(view: AlertView): FraudAlert {
  const alert: FraudAlert = {
    alertId: view.alertId,
    schemaVersion: view.schemaVersion,
    revision: view.revision,
    subject: view.subject,
    severity: view.severity,
    score: view.score,
    status: view.status,
    signals: view.signals,
    summary: view.summary,
    firstSeenAt: view.firstSeenAt,
    lastSeenAt: view.lastSeenAt,
  };
  if (view.correlationId) alert.correlationId = view.correlationId;
  return alert;
}
