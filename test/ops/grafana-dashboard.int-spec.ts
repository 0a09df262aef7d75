/*
 * deploy/grafana/vigil.json (issue 18): service, instance and tenant variables from label_values
 * queries on labels the metrics carry, and every metric selector of every panel filtered by
 * $service and $instance (and by $tenant where the metric has a tenant label), so picking a
 * service or an instance narrows the whole dashboard. Pure file checks; no Grafana needed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

interface Variable {
  name: string;
  type: string;
  query?: { query?: string } | string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/vigil.json'), 'utf8')) as {
  templating: { list: Variable[] };
  panels: Panel[];
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.ts$/.test(name) && !/spec\.ts$/.test(name) ? [path] : [];
  });
}

/** Metric name -> its label names, from the counter/gauge/histogram({ name, labelNames }) calls. */
const registered = new Map<string, string[]>(
  [...sources(join(ROOT, 'libs')), ...sources(join(ROOT, 'services'))].flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/name: '(vigil_[a-z0-9_]+)',([^}]*)\}/g)].map(
      (m) =>
        [
          m[1],
          [...(/labelNames: \[([^\]]*)\]/.exec(m[2])?.[1] ?? '').matchAll(/'([a-z_]+)'/g)].map((l) => l[1]),
        ] as [string, string[]],
    ),
  ),
);

/** Every metric selector of an expression: name and its matchers (histograms by their _bucket series). */
function selectors(expr: string): { metric: string; matchers: string }[] {
  return [...expr.matchAll(/\b((?:vigil|process|nodejs)_[a-z0-9_]+)(\{[^}]*\})?/g)].map((m) => ({
    metric: m[1],
    matchers: m[2] ?? '',
  }));
}
const baseName = (series: string) =>
  registered.has(series) ? series : series.replace(/_(bucket|sum|count)$/, '');

describe('Grafana dashboard', () => {
  const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
  const queryOf = (name: string) => {
    const q = variables.get(name)?.query;
    return typeof q === 'string' ? q : (q?.query ?? '');
  };
  const targets = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
  );

  it('has service, instance and tenant variables from label_values on labels the metrics carry', () => {
    for (const name of ['service', 'instance', 'tenant'])
      expect({ name, type: variables.get(name)?.type }).toEqual({ name, type: 'query' });
    expect(queryOf('service')).toMatch(
      /^label_values\(process_start_time_seconds\{service!=""\}, service\)$/,
    );
    expect(queryOf('instance')).toMatch(/^label_values\([a-z_]+\{service=~"\$service"\}, instance\)$/);
    const [, tenantMetric] = /^label_values\(([a-z_]+)\{.*\}, tenant\)$/.exec(queryOf('tenant')) ?? [];
    expect(registered.get(tenantMetric)).toContain('tenant');
  });

  it('filters every panel query by $service and $instance, and by $tenant where the metric has a tenant label', () => {
    expect(targets.length).toBeGreaterThan(30);
    const unfiltered = targets.flatMap(({ panel, expr }) =>
      selectors(expr)
        .filter(({ metric, matchers }) => {
          const needed = ['service=~"$service"', 'instance=~"$instance"'];
          if (registered.get(baseName(metric))?.includes('tenant')) needed.push('tenant=~"$tenant"');
          return !needed.every((m) => matchers.includes(m));
        })
        .map(({ metric }) => `${panel}: ${metric}`),
    );
    expect(unfiltered).toEqual([]);
    // the tenant filter is used somewhere
    expect(targets.some((t) => t.expr.includes('tenant=~"$tenant"'))).toBe(true);
  });

  it('shows only metrics the services register (process_* and nodejs_* are prom-client defaults)', () => {
    const unknown = targets
      .flatMap(({ expr }) => selectors(expr).map((s) => s.metric))
      .filter((m) => m.startsWith('vigil_') && !registered.has(baseName(m)));
    expect(unknown).toEqual([]);
  });
});
