import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as read from YAML. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeTemplates?: boolean; includeSelectors?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path: string }[];
}

/** Every document of a YAML file, failing on a syntax error (`yaml` collects them per document). */
export function readDocuments(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as Manifest;
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A strategic merge patch as kustomize applies the ones used here: maps merge key by key, lists of named items
 * (containers, volumes, ports, env) merge by `name`, any other list is replaced.
 */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (isObject(target) && isObject(patch)) {
    const out: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(patch)) out[key] = key in target ? strategicMerge(target[key], value) : value;
    return out;
  }
  if (Array.isArray(target) && Array.isArray(patch) && [...target, ...patch].every((item) => isObject(item) && typeof item.name === 'string')) {
    const out = target.map((item) => {
      const update = patch.find((p) => (p as { name: string }).name === (item as { name: string }).name);
      return update ? strategicMerge(item, update) : item;
    });
    for (const p of patch) if (!target.some((t) => (t as { name: string }).name === (p as { name: string }).name)) out.push(p);
    return out;
  }
  return patch;
}

/** Pod templates of a workload (Deployment, Job): where `includeTemplates` labels and images apply. */
function podTemplates(manifest: Manifest): Record<string, unknown>[] {
  const spec = manifest.spec as Record<string, unknown> | undefined;
  return isObject(spec?.template) ? [spec.template] : [];
}

/**
 * Renders a kustomization directory the way `kubectl kustomize` does for the features docker/k8s uses: resources
 * (files and bases), namespace, labels (with includeTemplates), images and strategic merge patches by kind and name.
 * Anything else in a kustomization.yaml is refused, so this cannot silently render less than kustomize would.
 */
export function renderKustomization(dir: string): Manifest[] {
  const [kustomization] = readDocuments(join(dir, 'kustomization.yaml')) as unknown as Kustomization[];
  const known = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches']);
  const unknown = Object.keys(kustomization!).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`${dir}/kustomization.yaml: the test's renderer does not support ${unknown.join(', ')}`);
  let manifests: Manifest[] = [];
  for (const resource of kustomization!.resources ?? []) {
    const path = resolve(dir, resource);
    manifests.push(...(resource.endsWith('.yaml') ? readDocuments(path) : renderKustomization(path)));
  }
  for (const { path } of kustomization!.patches ?? []) {
    for (const patch of readDocuments(resolve(dir, path))) {
      const index = manifests.findIndex((m) => m.kind === patch.kind && m.metadata.name === patch.metadata.name);
      if (index < 0) throw new Error(`${dir}/${path}: patch of ${patch.kind} ${patch.metadata.name} matches no resource`);
      manifests[index] = strategicMerge(manifests[index], patch) as Manifest;
    }
  }
  for (const { pairs, includeTemplates } of kustomization!.labels ?? []) {
    manifests = manifests.map((m) => {
      const labelled = { ...m, metadata: { ...m.metadata, labels: { ...m.metadata.labels, ...pairs } } } as Manifest;
      if (includeTemplates) {
        for (const template of podTemplates(labelled)) {
          const metadata = (template.metadata ?? {}) as { labels?: Record<string, string> };
          template.metadata = { ...metadata, labels: { ...metadata.labels, ...pairs } };
        }
      }
      return labelled;
    });
  }
  for (const image of kustomization!.images ?? []) {
    for (const m of manifests) {
      for (const template of podTemplates(m)) {
        for (const container of ((template.spec as { containers?: { image: string }[] }).containers ?? []) as { image: string }[]) {
          const [name, tag] = container.image.split(':');
          if (name === image.name) container.image = `${image.newName ?? name}:${image.newTag ?? tag}`;
        }
      }
    }
  }
  if (kustomization!.namespace) manifests = manifests.map((m) => ({ ...m, metadata: { ...m.metadata, namespace: kustomization!.namespace } }));
  return manifests;
}

export const K8S_DIR = resolve(__dirname, '../../docker/k8s');
export const overlayDir = (name: string) => join(K8S_DIR, 'overlays', name);
export const baseDir = () => join(K8S_DIR, 'base');
