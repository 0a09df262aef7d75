import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FraudSignal } from '@vigil/contracts';
import { createRedisClient } from '@vigil/redis';
import { parseRulesFile, RuleDefinition } from '@vigil/rules';
import { VELOCITY_RULES_OPTIONS } from '@vigil/velocity-scoring';
import { detectionsFromAlerts, detectionsFromSignals } from '../backtest/detections';
import { BacktestResult, computeBacktest } from '../backtest/metrics';
import { prepareStream, runOfflinePass } from '../backtest/offline-backtest';
import { backtestHtmlReport, backtestTextReport, comparisonTextReport, RunComparison } from '../backtest/report';
import { compareRuns } from '../backtest/rule-comparison';
import { EntityLabel, parseLabelsCsv } from '../generator/labels';
import { parseNdjson } from '../generator/ndjson';
import { parseCli, requireString, runCli, UsageError } from './args';

/** The rules in force by default (velocity's RULES_FILE default). */
const SHIPPED_RULES = join(__dirname, '../../../../services/velocity/rules/velocity-rules.yaml');

const USAGE = `usage: npm run backtest -- (--alerts alerts.ndjson | --signals signals.ndjson) --labels labels.csv [--out report.html]
       npm run backtest -- --events events.ndjson --rules my-rules.yaml --labels labels.csv
                           [--baseline-rules FILE] [--signals-out signals.ndjson] [--out report.html]
Precision, recall and alert counts per rule and overall, by subject id against the labels.
--alerts/--signals: from what a replay collected. --events: offline, no Kafka and no service: the
events go through velocity's own evaluation code (counters, seller detectors, rules) in its
event-time order, once with --rules and once with --baseline-rules (default: the shipped
services/velocity/rules/velocity-rules.yaml), and the report adds, per rule, the subjects newly
flagged and no longer flagged. The counters need a Redis: REDIS_URL (default
redis://127.0.0.1:6379; REDIS_CLUSTER=true for a cluster); each run uses a fresh key prefix
vigil-backtest:<uuid> and deletes it at the end.`;

function readNdjson(path: string): unknown[] {
  try {
    return parseNdjson(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

function readRules(path: string): RuleDefinition[] {
  try {
    return parseRulesFile(readFileSync(path, 'utf8'), VELOCITY_RULES_OPTIONS);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

function writeReport(out: string, result: BacktestResult, inputs: string[], comparison?: RunComparison): void {
  writeFileSync(out, backtestHtmlReport(result, { title: 'Vigil backtest', inputs }, comparison));
  process.stderr.write(`report -> ${out}\n`);
}

/** The offline mode: candidate and baseline rules on the same recorded events, each on a state of its own. */
async function offline(values: Record<string, string | boolean | undefined>, eventsPath: string, labels: EntityLabel[], labelsPath: string): Promise<void> {
  const rulesPath = requireString(values, 'rules', USAGE);
  const baselinePath = typeof values['baseline-rules'] === 'string' ? values['baseline-rules'] : SHIPPED_RULES;
  const rules = readRules(rulesPath);
  const baselineRules = readRules(baselinePath);
  const stream = prepareStream(readNdjson(eventsPath));
  process.stderr.write(
    `${stream.events.length} events for velocity (${stream.invalid.length} invalid, ${stream.duplicates} duplicates, ${stream.otherFamilies} of other families skipped)\n`,
  );
  for (const { index, reason } of stream.invalid.slice(0, 20)) process.stderr.write(`  line ${index + 1}: ${reason}\n`);
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const redis = createRedisClient({ url, cluster: process.env['REDIS_CLUSTER'] === 'true', keyPrefix: '' });
  let signals: FraudSignal[];
  let baselineSignals: FraudSignal[];
  try {
    await redis.ping().catch((error: Error) => {
      throw new Error(`Redis at ${url} (REDIS_URL) is not reachable: ${error.message}`);
    });
    signals = await runOfflinePass({ redis, events: stream.events, rules });
    baselineSignals = await runOfflinePass({ redis, events: stream.events, rules: baselineRules });
  } finally {
    redis.disconnect();
  }
  if (typeof values['signals-out'] === 'string') {
    writeFileSync(values['signals-out'], signals.map((s) => JSON.stringify(s)).join('\n') + (signals.length > 0 ? '\n' : ''));
  }
  const result = computeBacktest(detectionsFromSignals(signals), labels);
  const baselineResult = computeBacktest(detectionsFromSignals(baselineSignals), labels);
  const comparison: RunComparison = {
    baseline: baselinePath,
    changes: compareRuns({ signals: baselineSignals, result: baselineResult }, { signals, result }, [...rules, ...baselineRules].map((r) => r.id)),
  };
  process.stdout.write(`${backtestTextReport(result)}\n\n${comparisonTextReport(comparison)}\n`);
  if (typeof values['out'] === 'string') writeReport(values['out'], result, [eventsPath, rulesPath, labelsPath], comparison);
}

runCli(async () => {
  const values = parseCli(
    process.argv.slice(2),
    {
      alerts: { type: 'string' },
      signals: { type: 'string' },
      events: { type: 'string' },
      rules: { type: 'string' },
      'baseline-rules': { type: 'string' },
      'signals-out': { type: 'string' },
      labels: { type: 'string' },
      out: { type: 'string' },
    },
    USAGE,
  );
  const alertsPath = values['alerts'];
  const signalsPath = values['signals'];
  const eventsPath = values['events'];
  const labelsPath = requireString(values, 'labels', USAGE);
  if (typeof eventsPath === 'string') {
    if (typeof alertsPath === 'string' || typeof signalsPath === 'string') throw new UsageError(`--events does not combine with --alerts or --signals\n\n${USAGE}`);
    return offline(values, eventsPath, parseLabelsCsv(readFileSync(labelsPath, 'utf8')), labelsPath);
  }
  for (const offlineOnly of ['rules', 'baseline-rules', 'signals-out']) {
    if (values[offlineOnly] !== undefined) throw new UsageError(`--${offlineOnly} needs --events\n\n${USAGE}`);
  }
  if (typeof alertsPath !== 'string' && typeof signalsPath !== 'string') throw new UsageError(`--alerts, --signals or --events is required\n\n${USAGE}`);
  const detections = [
    ...(typeof alertsPath === 'string' ? detectionsFromAlerts(readNdjson(alertsPath)) : []),
    ...(typeof signalsPath === 'string' ? detectionsFromSignals(readNdjson(signalsPath)) : []),
  ];
  const result = computeBacktest(detections, parseLabelsCsv(readFileSync(labelsPath, 'utf8')));
  process.stdout.write(backtestTextReport(result) + '\n');
  if (typeof values['out'] === 'string') {
    writeReport(values['out'], result, [alertsPath, signalsPath, labelsPath].filter((p): p is string => typeof p === 'string'));
  }
});
