/** Turns the alerts or signals a replay collected into detections (rule x subject). */
import { Detection } from './metrics';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function subjectIdOf(record: Record<string, unknown>, where: string): string {
  const subject = record['subject'];
  if (!isRecord(subject) || typeof subject['id'] !== 'string') throw new Error(`${where} has no subject.id`);
  return subject['id'];
}

function stringField(record: Record<string, unknown>, field: string, where: string): string {
  const value = record[field];
  if (typeof value !== 'string') throw new Error(`${where} has no ${field}`);
  return value;
}

/**
 * Alerts are republished with a rising `revision`; only the latest revision of each alertId
 * counts, with every rule among its signals credited for its subject.
 */
export function detectionsFromAlerts(alerts: readonly unknown[]): Detection[] {
  const latest = new Map<string, Record<string, unknown>>();
  alerts.forEach((alert, index) => {
    if (!isRecord(alert)) throw new Error(`alert ${index + 1} is not an object`);
    const alertId = stringField(alert, 'alertId', `alert ${index + 1}`);
    const previous = latest.get(alertId);
    if (!previous || Number(alert['revision'] ?? 0) >= Number(previous['revision'] ?? 0)) latest.set(alertId, alert);
  });
  return [...latest.entries()].flatMap(([alertId, alert]) => {
    const subjectId = subjectIdOf(alert, `alert ${alertId}`);
    const signals = Array.isArray(alert['signals']) ? alert['signals'].filter(isRecord) : [];
    const ruleIds = [...new Set(signals.map((s) => s['ruleId']).filter((r): r is string => typeof r === 'string'))];
    return (ruleIds.length > 0 ? ruleIds : ['(no rule)']).map((ruleId) => ({ ruleId, subjectId, sourceId: alertId }));
  });
}

/** Signals, shadow ones included: this is how a shadow rule is measured before it is switched on. */
export function detectionsFromSignals(signals: readonly unknown[]): Detection[] {
  return signals.map((signal, index) => {
    if (!isRecord(signal)) throw new Error(`signal ${index + 1} is not an object`);
    const where = `signal ${index + 1}`;
    return {
      ruleId: stringField(signal, 'ruleId', where),
      subjectId: subjectIdOf(signal, where),
      sourceId: stringField(signal, 'signalId', where),
      mode: typeof signal['mode'] === 'string' ? signal['mode'] : undefined,
    };
  });
}
