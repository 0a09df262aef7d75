import { FraudSignal, Severity, SubjectType } from '@vigil/contracts';
import { randomUUID } from 'node:crypto';

const uniqueId = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

/** Builds a valid FraudSignal for tests (integration tests and the benchmark produce signals themselves). */
export function testSignal(overrides: {
  ruleId: string;
  subjectId: string;
  subjectType?: SubjectType;
  severity?: Severity;
  occurredAt?: string;
  signalId?: string;
  mode?: 'enforce' | 'shadow';
  tenantId?: string;
  evidence?: Record<string, unknown>;
}): FraudSignal {
  const occurredAt = overrides.occurredAt ?? new Date().toISOString();
  const eventId = uniqueId('evt');
  return {
    signalId: overrides.signalId ?? uniqueId('sig'),
    schemaVersion: 1,
    ruleId: overrides.ruleId,
    ruleVersion: 1,
    source: 'test',
    mode: overrides.mode ?? 'enforce',
    severity: overrides.severity ?? 'high',
    subject: { type: overrides.subjectType ?? 'account', id: overrides.subjectId, tenantId: overrides.tenantId ?? 'demo-market' },
    reason: `${overrides.ruleId} fired: 7 orders on one card within 10 minutes (limit 5)`,
    measurements: [{ name: 'order.count', value: 7, threshold: 5, comparator: '>', window: '10m' }],
    triggeringEvents: [{ eventId, type: 'order.placed', occurredAt }],
    occurredAt,
    detectedAt: new Date().toISOString(),
    ...(overrides.evidence ? { evidence: overrides.evidence } : {}),
  };
}
