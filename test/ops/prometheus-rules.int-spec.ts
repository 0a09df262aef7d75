/*
 * deploy/prometheus/alerts.yml (issue 18): valid for Prometheus (`promtool check rules`), its unit
 * tests pass (`promtool test rules alerts.test.yml`), every metric a rule reads is one the code
 * registers (a renamed metric would leave an alert that never fires), and every alert has its
 * section in docs/runbook.md. promtool comes from deploy/local/ensure-promtool.sh (test/run-tests.sh).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../..');
const RULES = join(ROOT, 'deploy/prometheus/alerts.yml');

function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) =>
    execFile('promtool', args, { cwd: ROOT }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        done({ code: -1, output: 'promtool not found: run bash deploy/local/ensure-promtool.sh' });
      } else
        done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    }),
  );
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.ts$/.test(name) && !/\.(int-|e2e-)?spec\.ts$/.test(name) ? [path] : [];
  });
}

interface Rule {
  alert: string;
  expr: string;
  annotations?: { runbook_url?: string };
}
const rules: Rule[] = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);

describe('Prometheus alerting rules', () => {
  it('pass promtool check rules', async () => {
    const run = await promtool('check', 'rules', RULES);
    expect(run).toEqual({ code: 0, output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`) });
  });

  it('pass their unit tests (promtool test rules)', async () => {
    const run = await promtool('test', 'rules', join(ROOT, 'deploy/prometheus/alerts.test.yml'));
    expect(run).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('read only metrics the services register', () => {
    // Registration sites: counter/gauge/histogram({ name: 'vigil_...' }) in libs/ and services/.
    const registered = new Set(
      [...sources(join(ROOT, 'libs')), ...sources(join(ROOT, 'services'))].flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/name: '(vigil_[a-z0-9_]+)'/g)].map((m) => m[1]),
      ),
    );
    expect(registered.size).toBeGreaterThan(20); // the scan itself works
    const used = [
      ...new Set(rules.flatMap((r) => [...r.expr.matchAll(/\b(vigil_[a-z0-9_]+)/g)].map((m) => m[1]))),
    ];
    // a histogram is read through its _bucket/_sum/_count series
    const metric = (series: string) =>
      registered.has(series) ? series : series.replace(/_(bucket|sum|count)$/, '');
    expect(used.length).toBeGreaterThanOrEqual(7);
    expect(used.filter((series) => !registered.has(metric(series)))).toEqual([]);
  });

  it('each link to a section of docs/runbook.md', () => {
    const runbook = readFileSync(join(ROOT, 'docs/runbook.md'), 'utf8');
    // GitHub's heading anchors: lower case, spaces to dashes, punctuation dropped
    const anchors = new Set(
      [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    expect(rules.map((r) => [r.alert, r.annotations?.runbook_url])).toEqual(
      rules.map((r) => [r.alert, `docs/runbook.md#${r.alert.toLowerCase()}`]),
    );
    expect(rules.filter((r) => !anchors.has(r.alert.toLowerCase())).map((r) => r.alert)).toEqual([]);
  });
});
