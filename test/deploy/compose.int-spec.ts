/*
 * deploy/compose/docker-compose.yml, validated offline: `docker-compose config` (Debian's
 * docker-compose, installed by deploy/local/ensure-deploy-tools.sh; no Docker engine needed)
 * resolves the file, and the resolved services are checked against the Dockerfile, the
 * services' config classes, the Prometheus configuration and the Grafana provisioning.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import YAML from 'yaml';
import { loadConfig } from '@vigil/config';
import {
  configVariables,
  readDockerfile,
  requiredVariables,
  ROOT,
  RUNTIME_EXTRA_VARIABLES,
  secretVariables,
  serviceCommand,
  SERVICES,
} from './deploy-support';

const COMPOSE_FILE = join(ROOT, 'deploy/compose/docker-compose.yml');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string } | string;
  command?: string[] | string;
  environment?: Record<string, string | number | null> | string[];
  ports?: (string | { target: number; published?: number | string; host_ip?: string })[];
  healthcheck?: { test: string[] | string; interval?: string; disable?: boolean };
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
}

/** `docker-compose config` with only PATH and HOME from this process (so the file's defaults apply) plus `env`. */
function composeConfig(env: Record<string, string> = {}): Record<string, ComposeService> {
  const out = execFileSync('docker-compose', ['-f', COMPOSE_FILE, 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (YAML.parse(out) as { services: Record<string, ComposeService> }).services;
}

function environment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  const entries = Array.isArray(env) ? env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]) : Object.entries(env);
  return Object.fromEntries(entries.map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

function ports(service: ComposeService): { host: string; published: string; target: string }[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { host: p.host_ip ?? '', published: String(p.published ?? ''), target: String(p.target) };
    const parts = p.replace(/\/\w+$/, '').split(':');
    const target = parts.pop()!;
    const published = parts.pop() ?? '';
    return { host: parts.join(':'), published, target };
  });
}

function mounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target };
    const [source, target] = v.split(':');
    return { source, target };
  });
}

function dependsOn(service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? {};
  return Array.isArray(deps) ? Object.fromEntries(deps.map((d) => [d, 'service_started'])) : Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition]));
}

const healthTest = (service: ComposeService) => {
  const test = service.healthcheck?.test ?? [];
  return Array.isArray(test) ? test.join(' ') : test;
};

describe('deploy/compose/docker-compose.yml', () => {
  const services = composeConfig();
  const final = readDockerfile().stages.at(-1)!;

  it('validates and has Kafka, Redis, the four services, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['alerting', 'grafana', 'ingestion', 'kafka', 'prometheus', 'redis', 'review-analysis', 'velocity']);
  });

  it('runs Kafka from the official image as one KRaft node (broker and controller), and Redis', () => {
    const kafka = services['kafka'];
    expect(kafka.image).toMatch(/^apache\/kafka:\d+\.\d+\.\d+$/);
    const env = environment(kafka);
    expect(env['KAFKA_PROCESS_ROLES'].split(',').sort()).toEqual(['broker', 'controller']);
    expect(env['KAFKA_CONTROLLER_QUORUM_VOTERS']).toBe(`${env['KAFKA_NODE_ID']}@kafka:9093`);
    expect(env['KAFKA_AUTO_CREATE_TOPICS_ENABLE']).toBe('false');
    expect(env['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR']).toBe('1');
    expect(env['CLUSTER_ID']).toMatch(/^[\w-]{22}$/);
    expect(services['redis'].image).toMatch(/^redis:/);
  });

  it('gives every container a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      expect([name, healthTest(service).length > 0 && service.healthcheck?.disable !== true]).toEqual([name, true]);
    }
  });

  describe.each(SERVICES)('$name', ({ name, config, port }) => {
    const service = services[name];
    const env = environment(service);

    it('is built from the repository Dockerfile and runs the image command for this service', () => {
      const build = typeof service.build === 'string' ? { context: service.build } : service.build!;
      expect(build.context).toBe(ROOT);
      expect(build.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
      expect(service.command).toEqual(serviceCommand(final, name));
    });

    it('listens on its documented port, published on the loopback only', () => {
      expect(env['PORT']).toBe(String(port));
      expect(ports(service)).toEqual([{ host: '127.0.0.1', published: String(port), target: String(port) }]);
    });

    it('waits for healthy Kafka and Redis and reports readiness (/health) as its health', () => {
      expect(dependsOn(service)).toEqual({ kafka: 'service_healthy', redis: 'service_healthy' });
      expect(healthTest(service)).toMatch(/\/health\b(?!\/)/);
      expect(healthTest(service)).toMatch(/process\.env\.PORT/);
    });

    it('sets every variable its config requires, only variables it reads, and loads as its config', () => {
      expect(requiredVariables(config).filter((v) => !(v in env))).toEqual([]);
      const known = new Set([...configVariables(config), ...RUNTIME_EXTRA_VARIABLES]);
      expect(Object.keys(env).filter((v) => !known.has(v))).toEqual([]);
      expect(env['KAFKA_BROKERS']).toBe(environment(services['kafka'])['KAFKA_ADVERTISED_LISTENERS'].replace(/^PLAINTEXT:\/\//, ''));
      expect(new URL(env['REDIS_URL']).hostname).toBe('redis');
      // The demo credentials are only admitted in demo mode: the defaults are a valid config.
      expect(() => loadConfig(config, env)).not.toThrow();
    });

    it('takes its credentials from the environment (.env) when set, and then loads outside demo mode', () => {
      const secrets = secretVariables(config);
      const own = Object.fromEntries(secrets.map((v) => [v, /_KEYS$/.test(v) ? 'tenant-a:own-key-0123456789' : 'own-secret-0123456789abcdef']));
      const resolved = environment(composeConfig({ ...own, VIGIL_DEMO_MODE: 'false', ALERTING_WEBHOOK_URLS: 'https://hooks.example.com/vigil' })[name]);
      for (const v of secrets) expect([v, resolved[v]]).toEqual([v, own[v]]);
      expect(resolved['VIGIL_DEMO_MODE']).toBe('false');
      expect(() => loadConfig(config, resolved)).not.toThrow();
    });
  });

  it('has Prometheus scrape /metrics of every service on its port', () => {
    const prometheus = services['prometheus'];
    const configMount = mounts(prometheus).find((m) => m.target === '/etc/prometheus/prometheus.yml')!;
    expect(configMount.source).toBe(join(ROOT, 'deploy/compose/prometheus.yml'));
    const scrape = YAML.parse(readFileSync(configMount.source, 'utf8')) as {
      scrape_configs: { metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = scrape.scrape_configs.filter((c) => (c.metrics_path ?? '/metrics') === '/metrics').flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    for (const { name, port } of SERVICES) expect(targets).toContain(`${name}:${port}`);
    expect(ports(prometheus).map((p) => p.host)).toEqual(['127.0.0.1']);
  });

  it('loads the shipped alerting rules into Prometheus', () => {
    const prometheus = services['prometheus'];
    const config = YAML.parse(readFileSync(join(ROOT, 'deploy/compose/prometheus.yml'), 'utf8')) as { rule_files?: string[] };
    expect(config.rule_files).toHaveLength(1);
    const rulesMount = mounts(prometheus).find((m) => m.target === config.rule_files![0]);
    expect(rulesMount?.source).toBe(join(ROOT, 'deploy/prometheus/alerts.yml'));
  });

  it('provisions Grafana with the Prometheus data source and mounts deploy/grafana/vigil.json where the dashboard provider reads', () => {
    const grafana = services['grafana'];
    const dashboard = mounts(grafana).find((m) => m.source === join(ROOT, 'deploy/grafana/vigil.json'));
    expect(dashboard).toBeDefined();
    const provisioning = mounts(grafana).find((m) => m.target === '/etc/grafana/provisioning')!;
    expect(provisioning.source).toBe(join(ROOT, 'deploy/compose/grafana/provisioning'));

    const providers = (YAML.parse(readFileSync(join(provisioning.source, 'dashboards/vigil.yml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    }).providers;
    expect(providers.map((p) => [p.type, p.options.path])).toContainEqual(['file', posix.dirname(dashboard!.target)]);

    const datasources = (YAML.parse(readFileSync(join(provisioning.source, 'datasources/prometheus.yml'), 'utf8')) as {
      datasources: { type: string; url: string; isDefault?: boolean }[];
    }).datasources;
    const prometheus = datasources.find((d) => d.type === 'prometheus')!;
    expect(prometheus.isDefault).toBe(true);
    expect(new URL(prometheus.url).host).toBe('prometheus:9090');
    // The dashboard picks its data source through a variable of that type.
    const json = JSON.parse(readFileSync(dashboard!.source, 'utf8')) as { templating: { list: { type: string; query: string }[] } };
    expect(json.templating.list).toContainEqual(expect.objectContaining({ type: 'datasource', query: 'prometheus' }));
    expect(dependsOn(grafana)).toEqual({ prometheus: 'service_healthy' });
    expect(dirname(dashboard!.target)).toBe('/etc/grafana/dashboards');
  });
});
