/*
 * deploy/k8s rendered with `kubectl kustomize` (kubectl's built-in kustomize; Debian's
 * kubernetes-client, installed by deploy/local/ensure-deploy-tools.sh, or any other kubectl) for
 * each overlay, and the objects checked against the Dockerfile, the services' config classes
 * and the topic partition count.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import YAML from 'yaml';
import { DEMO_SECRETS, loadConfig } from '@vigil/config';
import { topicNames, topicSpecs } from '@vigil/contracts';
import {
  configVariables,
  readDockerfile,
  requiredVariables,
  ROOT,
  RUNTIME_EXTRA_VARIABLES,
  secretPlaceholder,
  secretVariables,
  serviceCommand,
  SERVICES,
  stageEnv,
} from './deploy-support';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered Kubernetes objects are plain YAML */
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string>; stringData?: unknown };

function render(overlay: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(ROOT, 'deploy/k8s/overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return YAML.parseAllDocuments(out).map((d) => d.toJSON() as K8sObject).filter(Boolean);
}

/**
 * The most partitions any consumer group of a service can be given: the topics' partition count
 * (dead letters aside, and fraud.rules, which every velocity instance reads whole).
 */
const PARTITIONS = Math.min(
  ...topicSpecs('')
    .filter((t) => !t.topic.endsWith('deadletter') && t.topic !== topicNames('').rules)
    .map((t) => t.partitions),
);
const final = readDockerfile().stages.at(-1)!;
const imageHeapMb = Number(/--max-old-space-size=(\d+)/.exec(stageEnv(final)['NODE_OPTIONS'] ?? '')?.[1] ?? NaN);

const mebibytes = (quantity: string) => {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity);
  if (!m) throw new Error(`unreadable quantity ${quantity}`);
  const factor: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, K: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 };
  return Number(m[1]) * (m[2] ? factor[m[2]] : 1 / 2 ** 20);
};

describe.each(['small', 'production'])('deploy/k8s/overlays/%s', (overlay) => {
  const objects = render(overlay);
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const named = (kind: string, name: string) => ofKind(kind).find((o) => o.metadata.name === name);
  const configMap = (name: string) => ofKind('ConfigMap').find((o) => o.metadata.name === name || o.metadata.name.startsWith(`${name}-`));

  it('renders a Deployment and a PodDisruptionBudget per service, a Service per HTTP API, HPAs, the two ConfigMaps and no Secret', () => {
    const names = (kind: string) => ofKind(kind).map((o) => o.metadata.name).sort();
    expect(names('Deployment')).toEqual(SERVICES.map((s) => s.name).sort());
    expect(names('PodDisruptionBudget')).toEqual(SERVICES.map((s) => s.name).sort());
    expect(names('Service')).toEqual(SERVICES.filter((s) => s.httpApi).map((s) => s.name).sort());
    expect(names('HorizontalPodAutoscaler')).toEqual(['alerting', 'ingestion']);
    expect(configMap('vigil-runtime')).toBeDefined();
    expect(configMap('velocity-rules')).toBeDefined();
    // Credentials are referenced, never committed.
    expect(names('Secret')).toEqual([]);
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(['Deployment', 'PodDisruptionBudget', 'Service', 'HorizontalPodAutoscaler', 'ConfigMap']));
  });

  describe.each(SERVICES)('$name', ({ name, config, port, httpApi }) => {
    const deployment = named('Deployment', name)!;
    const pod = deployment.spec.template;
    const container = pod.spec.containers[0];
    const env: { name: string; value?: string; valueFrom?: any }[] = container.env ?? [];
    /** What the container sees: envFrom ConfigMaps first, then env (which wins), secrets as placeholders. */
    const resolved = (): Record<string, string> => {
      const result: Record<string, string> = {};
      for (const from of container.envFrom ?? []) {
        const data = ofKind('ConfigMap').find((c) => c.metadata.name === from.configMapRef?.name)?.data;
        expect([from.configMapRef?.name, data !== undefined]).toEqual([from.configMapRef?.name, true]);
        Object.assign(result, data);
      }
      for (const e of env) {
        if (e.valueFrom?.secretKeyRef) result[e.name] = secretPlaceholder(e.name);
        else if (e.valueFrom?.configMapKeyRef) result[e.name] = ofKind('ConfigMap').find((c) => c.metadata.name === e.valueFrom.configMapKeyRef.name)!.data![e.valueFrom.configMapKeyRef.key];
        else result[e.name] = e.value ?? '';
      }
      return result;
    };

    it('runs the image command for this service on its documented port, as a non-root user', () => {
      expect(pod.spec.containers).toHaveLength(1);
      expect(container.command).toEqual(serviceCommand(final, name));
      expect(container.args).toBeUndefined();
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      expect(env.find((e) => e.name === 'PORT')?.value).toBe(String(port));
      expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
      expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    });

    it('probes readiness on /health and liveness on /health/live, on its port', () => {
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.ports.find((p: { name: string }) => p.name === container.readinessProbe.httpGet.port).containerPort).toBe(port);
    });

    it('sets CPU and memory requests and limits, the memory limit above the heap cap', () => {
      const { requests, limits } = container.resources;
      for (const resource of ['cpu', 'memory']) {
        expect(requests[resource]).toBeDefined();
        expect(limits[resource]).toBeDefined();
      }
      expect(mebibytes(limits.memory)).toBeGreaterThanOrEqual(mebibytes(requests.memory));
      const heap = Number(/--max-old-space-size=(\d+)/.exec(env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '')?.[1] ?? imageHeapMb);
      expect(heap).toBeGreaterThan(0);
      // The heap cap plus ~60 % for code, buffers and the rest of the process (measured: 230 MB RSS at a 200 MB cap).
      expect(mebibytes(limits.memory)).toBeGreaterThanOrEqual(heap * 1.5);
    });

    it('covers every variable its config requires, reads credentials only from Secrets, and loads as its config', () => {
      const variables = resolved();
      expect(requiredVariables(config).filter((v) => !(v in variables))).toEqual([]);
      const known = new Set([...configVariables(config), ...RUNTIME_EXTRA_VARIABLES]);
      expect(Object.keys(variables).filter((v) => !known.has(v))).toEqual([]);
      for (const secret of secretVariables(config)) {
        const entry = env.find((e) => e.name === secret);
        expect([secret, entry?.valueFrom?.secretKeyRef?.name, entry?.value]).toEqual([secret, expect.any(String), undefined]);
      }
      // No literal credential anywhere in the container's environment.
      const literals = [...env.map((e) => e.value ?? ''), ...(container.envFrom ?? []).flatMap((f: any) => Object.values(configMap(f.configMapRef.name)?.data ?? {}))];
      expect(literals.filter((v) => DEMO_SECRETS.some((s) => String(v).split(/[,:\s]+/).includes(s)))).toEqual([]);
      expect(() => loadConfig(config, variables)).not.toThrow();
    });

    it('has a PodDisruptionBudget over its pods', () => {
      const pdb = named('PodDisruptionBudget', name)!;
      expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => pod.metadata.labels[k] === v)).toBe(true);
      expect(pdb.spec.maxUnavailable ?? pdb.spec.minAvailable).toBeDefined();
    });

    if (httpApi) {
      it('has a Service in front of its pods', () => {
        const service = named('Service', name)!;
        expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
        expect(service.spec.ports).toEqual([expect.objectContaining({ port, targetPort: 'http' })]);
      });
    }

    const hpa = named('HorizontalPodAutoscaler', name);
    if (name === 'ingestion' || name === 'alerting') {
      it(`scales on CPU between minReplicas and at most the partition count (${PARTITIONS})`, () => {
        expect(hpa!.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
        expect(hpa!.spec.maxReplicas).toBeLessThanOrEqual(PARTITIONS);
        expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(1);
        expect(hpa!.spec.minReplicas).toBeLessThanOrEqual(hpa!.spec.maxReplicas);
        expect(hpa!.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: expect.objectContaining({ type: 'Utilization' }) } }]);
        // The autoscaler owns the replica count.
        expect(deployment.spec.replicas).toBeUndefined();
      });
    } else {
      it('has a fixed replica count and no autoscaler (one active member per group, docs/event-time.md)', () => {
        expect(hpa).toBeUndefined();
        expect(deployment.spec.replicas).toBeGreaterThanOrEqual(1);
        expect(deployment.spec.replicas).toBeLessThanOrEqual(2);
      });
    }
  });

  it('mounts the velocity rules ConfigMap (a copy of services/velocity/rules/velocity-rules.yaml) where RULES_FILE points', () => {
    const deployment = named('Deployment', 'velocity')!;
    const container = deployment.spec.template.spec.containers[0];
    const rulesFile = container.env.find((e: { name: string }) => e.name === 'RULES_FILE').value as string;
    const mount = container.volumeMounts.find((m: { mountPath: string }) => rulesFile.startsWith(`${m.mountPath}/`));
    expect(mount).toBeDefined();
    // A directory mount (no subPath), so a ConfigMap edit reaches the running pod and is hot-reloaded.
    expect(mount.subPath).toBeUndefined();
    const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    const rules = ofKind('ConfigMap').find((c) => c.metadata.name === volume.configMap.name)!;
    expect(rules.metadata.name).toMatch(/^velocity-rules/);
    const key = posix.relative(mount.mountPath, rulesFile);
    expect(rules.data![key]).toBe(readFileSync(join(ROOT, 'services/velocity/rules/velocity-rules.yaml'), 'utf8'));
  });
});
/* eslint-enable @typescript-eslint/no-explicit-any */
