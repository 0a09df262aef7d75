import { counter, histogram } from '@vigil/observability';

export const signalsTotal = counter({
  name: 'vigil_alerting_signals_total',
  help: 'Consumed signals by rule, mode and outcome (created, updated, duplicate, shadow, snoozed)',
  labelNames: ['rule', 'mode', 'outcome'],
});
export const alertsTotal = counter({
  name: 'vigil_alerting_alerts_total',
  // tenant: the Grafana dashboard's tenant filter. Bounded: tenants are the configured credentials.
  help: 'Alert publications by tenant, the rule of the signal that caused them, severity and action (created, updated)',
  labelNames: ['tenant', 'rule', 'severity', 'action'],
});
export const decisionsTotal = counter({
  name: 'vigil_alerting_decisions_total',
  help: 'Applied analyst decisions per rule of the decided alert (false-positive rate = false_positive / (false_positive + confirmed_fraud))',
  labelNames: ['rule', 'decision'],
});
export const eventToAlertSeconds = histogram({
  name: 'vigil_alerting_event_to_alert_seconds',
  help: 'Time from the signal occurredAt (event time) to the alert being published',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
});
export const alertToDecisionSeconds = histogram({
  name: 'vigil_alerting_alert_to_first_decision_seconds',
  help: 'Time from an alert being raised to its first analyst decision',
  buckets: [10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 86400, 3 * 86400],
});
