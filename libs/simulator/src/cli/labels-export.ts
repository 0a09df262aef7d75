import { writeFileSync } from 'node:fs';
import { labelsToCsv } from '../generator/labels';
import { fetchDecidedAlerts, labelsFromAlerts } from '../labels/decision-labels';
import { parseCli, requireString, runCli } from './args';

const USAGE = `usage: npm run labels:export -- --alerting-url http://127.0.0.1:3003 --token TOKEN [--tenant ID] [--out labels.csv]
Analysts' decisions as a labels CSV for npm run backtest: the subject of every alert confirmed as
fraud is labelled fraud (pattern analyst-confirmed), of every false positive legit (confirmed
fraud wins). Read through alerting's API with an analyst token (ALERTING_DASHBOARD_TOKEN or an
analyst user's); the alerts are those of the token's tenants (--tenant: one of them). Without
--out the CSV goes to stdout.`;

runCli(async () => {
  const values = parseCli(
    process.argv.slice(2),
    { 'alerting-url': { type: 'string' }, token: { type: 'string' }, tenant: { type: 'string' }, out: { type: 'string' } },
    USAGE,
  );
  const tenant = values['tenant'];
  const { alerts, truncated } = await fetchDecidedAlerts({
    url: requireString(values, 'alerting-url', USAGE),
    token: requireString(values, 'token', USAGE),
    ...(typeof tenant === 'string' ? { tenantId: tenant } : {}),
  });
  const labels = labelsFromAlerts(alerts);
  const csv = labelsToCsv(labels);
  if (typeof values['out'] === 'string') writeFileSync(values['out'], csv);
  else process.stdout.write(csv);
  const fraud = labels.filter((l) => l.label === 'fraud').length;
  process.stderr.write(`${alerts.length} decided alerts -> ${labels.length} labels (${fraud} fraud, ${labels.length - fraud} legit)\n`);
  if (truncated.length > 0) process.stderr.write(`only the newest 500 alerts were read for: ${truncated.join(', ')}\n`);
});
