import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { baseDir, K8S_DIR, overlayDir, readDocuments, renderKustomization, type Manifest } from './render-kustomize';

/** kubernetes-models' class for an object (`apps/v1` `Deployment` → kubernetes-models/apps/v1/Deployment). */
function modelOf(manifest: Manifest): { new (data: unknown): { validate(): void } } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- one module per API group, version and kind
  const module = require(`kubernetes-models/${manifest.apiVersion}/${manifest.kind}`) as Record<string, { new (data: unknown): { validate(): void } }>;
  return module[manifest.kind]!;
}

/** Validates one object against the Kubernetes OpenAPI schema (kubernetes-models' `validate()`). */
function validate(manifest: Manifest): void {
  const Model = modelOf(manifest);
  new Model(manifest).validate();
}

type Container = {
  name: string;
  image: string;
  resources?: { requests?: object; limits?: object };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  readinessProbe?: object;
  livenessProbe?: object;
  startupProbe?: object;
  lifecycle?: { preStop?: object };
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
};
type PodSpec = { securityContext?: { runAsNonRoot?: boolean }; containers: Container[]; terminationGracePeriodSeconds?: number };
const podSpecOf = (m: Manifest) => (m.spec as { template: { spec: PodSpec } }).template.spec;
const find = (manifests: Manifest[], kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name)!;

describe('Kubernetes manifests (docker/k8s)', () => {
  const renders = { base: renderKustomization(baseDir()), dev: renderKustomization(overlayDir('dev')), prod: renderKustomization(overlayDir('prod')) };

  it('every YAML document under docker/k8s parses and the base and overlay files are valid objects', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
    const all = files(K8S_DIR);
    expect(all.length).toBeGreaterThan(10);
    for (const file of all) expect(readDocuments(file).length).toBeGreaterThan(0);
  });

  it.each(Object.keys(renders) as (keyof typeof renders)[])('%s renders objects that validate against the Kubernetes schema', (name) => {
    const manifests = renders[name];
    expect(manifests.map((m) => m.kind).sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'Deployment',
        'HorizontalPodAutoscaler',
        'HorizontalPodAutoscaler',
        'Ingress',
        'Job',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    for (const manifest of manifests) {
      try {
        validate(manifest);
      } catch (error) {
        throw new Error(`${name}: ${manifest.kind} ${manifest.metadata.name}: ${(error as Error).message}`);
      }
    }
  });

  it('rejects what the Kubernetes schema rejects, e.g. replicas: "two"', () => {
    const host = find(renders.prod, 'Deployment', 'valueverse-host');
    expect(() => validate({ ...host, spec: { ...(host.spec as object), replicas: 'two' } } as Manifest)).toThrow(/replicas/);
    expect(() => validate({ ...host, spec: { ...(host.spec as object), selector: undefined } } as Manifest)).toThrow(/selector/);
  });

  it.each(['dev', 'prod'] as const)(
    '%s: containers run as non-root on a read-only root file system, with requests and limits, configuration from the ConfigMap and Secret',
    (name) => {
      const workloads = renders[name].filter((m) => m.kind === 'Deployment' || m.kind === 'Job');
      expect(workloads.map((m) => m.metadata.name).sort()).toEqual(['valueverse-host', 'valueverse-migrate', 'valueverse-worker']);
      for (const workload of workloads) {
        const pod = podSpecOf(workload);
        expect(pod.securityContext?.runAsNonRoot).toBe(true);
        for (const container of pod.containers) {
          expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
          expect(container.resources?.requests).toBeDefined();
          expect(container.resources?.limits).toBeDefined();
          expect(container.image).toMatch(new RegExp(`^registry\\.example\\.com/valueverse:${name === 'dev' ? 'dev' : '0\\.1\\.0'}$`));
          expect(container.envFrom).toEqual([{ configMapRef: { name: 'valueverse' } }, { secretRef: { name: 'valueverse' } }]);
          // No secret value inline: only names the Secret carries are referenced, never set.
          for (const env of container.env ?? []) expect(['DATABASE_URL', 'REDIS_URL', 'VV_ENCRYPTION_KEY', 'VV_ADMIN_PASSWORD']).not.toContain(env.name);
        }
        expect(workload.metadata.namespace).toBe(name === 'dev' ? 'valueverse-dev' : 'valueverse');
        expect((workload.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels['app.kubernetes.io/name']).toBe('valueverse');
      }
      // The ConfigMap holds no secret.
      const config = find(renders[name], 'ConfigMap', 'valueverse').data as Record<string, string>;
      for (const secret of ['DATABASE_URL', 'REDIS_URL', 'VV_ENCRYPTION_KEY', 'VV_ADMIN_PASSWORD']) expect(config).not.toHaveProperty(secret);
    },
  );

  it('workers serve /metrics on their metrics port, which Prometheus scrapes and only the monitoring namespace reaches', () => {
    for (const render of [renders.dev, renders.prod]) {
      const deployment = find(render, 'Deployment', 'valueverse-worker');
      const template = (deployment.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template;
      expect(template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' });
      const [container] = podSpecOf(deployment).containers;
      expect(container!.env).toContainEqual({ name: 'VV_WORKER_METRICS_PORT', value: '9464' });
      expect(container!.ports).toEqual([{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
      expect(container!.livenessProbe).toMatchObject({ httpGet: { path: '/health/live', port: 'metrics' } });
      const policy = find(render, 'NetworkPolicy', 'valueverse-worker').spec as { ingress: { ports: { port: number }[] }[] };
      expect(policy.ingress.flatMap((rule) => rule.ports.map((p) => p.port))).toEqual([9464]);
    }
  });

  it('hosts have startup, liveness and readiness probes and a preStop that outlasts the endpoint removal within the grace period', () => {
    for (const render of [renders.dev, renders.prod]) {
      const host = podSpecOf(find(render, 'Deployment', 'valueverse-host'));
      const [container] = host.containers;
      expect(container!.startupProbe).toMatchObject({ httpGet: { path: '/health/live' } });
      expect(container!.livenessProbe).toMatchObject({ httpGet: { path: '/health/live' } });
      expect(container!.readinessProbe).toMatchObject({ httpGet: { path: '/health/ready' } });
      expect(container!.lifecycle?.preStop).toBeDefined();
      // preStop 10 s + the kernel's 10 s drain + stopping plugins fit in the grace period.
      expect(host.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    }
  });

  it('prod runs at least three hosts, two workers and keeps two hosts through disruptions; dev scales down', () => {
    expect((find(renders.prod, 'Deployment', 'valueverse-host').spec as { replicas: number }).replicas).toBe(3);
    expect((find(renders.prod, 'HorizontalPodAutoscaler', 'valueverse-host').spec as { minReplicas: number }).minReplicas).toBe(3);
    expect((find(renders.prod, 'Deployment', 'valueverse-worker').spec as { replicas: number }).replicas).toBe(2);
    expect((find(renders.prod, 'PodDisruptionBudget', 'valueverse-host').spec as { minAvailable: number }).minAvailable).toBe(2);
    expect((find(renders.dev, 'Deployment', 'valueverse-host').spec as { replicas: number }).replicas).toBe(1);
    expect((find(renders.dev, 'PodDisruptionBudget', 'valueverse-host').spec as { minAvailable: number }).minAvailable).toBe(0);
    // The patch replaced the container's resources but kept everything else of it.
    const prodHost = podSpecOf(find(renders.prod, 'Deployment', 'valueverse-host')).containers[0]!;
    expect(prodHost.resources).toEqual({ requests: { cpu: '1', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } });
    expect(prodHost.readinessProbe).toBeDefined();
  });
});
