import { readFileSync, writeFileSync } from 'node:fs';
import { detectionsFromAlerts, detectionsFromSignals } from '../backtest/detections';
import { computeBacktest } from '../backtest/metrics';
import { backtestHtmlReport, backtestTextReport } from '../backtest/report';
import { parseLabelsCsv } from '../generator/labels';
import { parseNdjson } from '../generator/ndjson';
import { parseCli, requireString, runCli, UsageError } from './args';

const USAGE = `usage: npm run backtest -- (--alerts alerts.ndjson | --signals signals.ndjson) --labels labels.csv [--out report.html]
Precision, recall and alert counts per rule and overall, by subject id against the labels.`;

function readNdjson(path: string): unknown[] {
  try {
    return parseNdjson(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

runCli(async () => {
  const values = parseCli(
    process.argv.slice(2),
    { alerts: { type: 'string' }, signals: { type: 'string' }, labels: { type: 'string' }, out: { type: 'string' } },
    USAGE,
  );
  const alertsPath = values['alerts'];
  const signalsPath = values['signals'];
  if (typeof alertsPath !== 'string' && typeof signalsPath !== 'string') throw new UsageError(`--alerts or --signals is required\n\n${USAGE}`);
  const labelsPath = requireString(values, 'labels', USAGE);
  const detections = [
    ...(typeof alertsPath === 'string' ? detectionsFromAlerts(readNdjson(alertsPath)) : []),
    ...(typeof signalsPath === 'string' ? detectionsFromSignals(readNdjson(signalsPath)) : []),
  ];
  const result = computeBacktest(detections, parseLabelsCsv(readFileSync(labelsPath, 'utf8')));
  process.stdout.write(backtestTextReport(result) + '\n');
  if (typeof values['out'] === 'string') {
    const inputs = [alertsPath, signalsPath, labelsPath].filter((p): p is string => typeof p === 'string');
    writeFileSync(values['out'], backtestHtmlReport(result, { title: 'Vigil backtest', inputs }));
    process.stderr.write(`report -> ${values['out']}\n`);
  }
});
