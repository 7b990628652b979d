/**
 * deploy/k8s against the Kubernetes API schemas, offline: every object is validated by
 * kubernetes-models (JSON schemas of the Kubernetes OpenAPI, compiled with ajv: types, formats,
 * required fields, enums), and type-checked by the TypeScript compiler against the same package's
 * interfaces, which catches what the schemas let through: a misspelt or misplaced field
 * (kubeconform's -strict). Then the rules of this deployment: probes, the disruption budget,
 * the hardening of every container, references that resolve, and no secret values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';

const K8S = fileURLToPath(new URL('../k8s', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
interface Container {
  name: string;
  image: string;
  envFrom?: { configMapRef?: { name: string } }[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }[];
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[]; add?: string[] } };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  hostNetwork?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
}
interface Workload extends Manifest {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : entry.name.endsWith('.yaml') ? [join(dir, entry.name)] : [],
  );
}

const files = yamlFiles(K8S);
const kustomizations = files.filter((file) => file.endsWith('kustomization.yaml'));
const manifests: { file: string; doc: Manifest }[] = files
  .filter((file) => !file.endsWith('kustomization.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((document) => {
      if (document.errors.length) throw new Error(`${file}: ${document.errors[0].message}`);
      return { file: relative(K8S, file), doc: document.toJS() as Manifest };
    }),
  );
const named = (kind: string, name: string) => manifests.find(({ doc }) => doc.kind === kind && doc.metadata.name === name)?.doc;
const workloads = manifests.map(({ doc }) => doc).filter((doc): doc is Workload => doc.kind === 'Deployment' || doc.kind === 'DaemonSet');
const where = (doc: Manifest) => `${doc.kind}/${doc.metadata.name}`;

/** Type errors of `const x: I<Kind> = <manifest>` for every manifest, from kubernetes-models' declarations. */
function typeErrors(): string[] {
  const source = manifests
    .map(
      ({ doc }, i) =>
        `import type { I${doc.kind} as T${i} } from 'kubernetes-models/${doc.apiVersion}/${doc.kind}';\nexport const m${i}: T${i} = ${JSON.stringify(doc)};`,
    )
    .join('\n');
  // A file that exists only in memory, where node_modules resolves as it does for the tests.
  const virtual = join(K8S, '__manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === virtual ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === virtual || fileExists.call(host, name);
  host.readFile = (name) => (name === virtual ? source : readFile.call(host, name));
  const program = ts.createProgram([virtual], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('deploy/k8s against the Kubernetes schemas', () => {
  it('has the objects it should', () => {
    expect(manifests.map(({ doc }) => where(doc)).sort()).toEqual(
      [
        'Namespace/parley',
        'ConfigMap/parley-config',
        'Deployment/parley',
        'PodDisruptionBudget/parley',
        'Service/parley',
        'Deployment/redis',
        'Service/redis',
        'ConfigMap/coturn-config',
        'DaemonSet/coturn',
        'Deployment/janus',
        'Service/janus',
      ].sort(),
    );
  });

  it.each(manifests.map(({ file, doc }) => [`${file}: ${where(doc)}`, doc] as const))('%s validates', async (_, doc) => {
    const module = (await import(`kubernetes-models/${doc.apiVersion}/${doc.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
    expect(() => new module[doc.kind](doc).validate()).not.toThrow();
  });

  it('has no field the API does not know (type-checked against the API types)', () => {
    expect(typeErrors()).toEqual([]);
  });

  it('catches what it claims to: a wrong type, and a misspelt field', async () => {
    const app = structuredClone(named('Deployment', 'parley')!) as Workload;
    const { Deployment } = await import('kubernetes-models/apps/v1/Deployment');
    (app.spec as Record<string, unknown>).replicas = 'two';
    expect(() => new Deployment(app as never).validate()).toThrow(/replicas must be integer/);

    const typo = structuredClone(named('Deployment', 'parley')!) as Workload;
    const container = typo.spec.template.spec.containers[0] as unknown as Record<string, unknown>;
    container.livenessProb = container.livenessProbe;
    const index = manifests.findIndex(({ doc }) => where(doc) === 'Deployment/parley');
    const original = manifests[index].doc;
    manifests[index].doc = typo;
    try {
      expect(typeErrors().join('\n')).toMatch(/livenessProb/);
    } finally {
      manifests[index].doc = original;
    }
  });

  it('lists every file in a kustomization, and only files that exist', () => {
    const listed = kustomizations.flatMap((file) => {
      const kustomization = parse(readFileSync(file, 'utf8')) as { kind: string; resources: string[] };
      expect(kustomization.kind).toBe('Kustomization');
      return kustomization.resources.map((resource) => join(dirname(file), resource));
    });
    expect(listed.sort()).toEqual(files.filter((file) => !file.endsWith('kustomization.yaml')).sort());
  });
});

describe('deploy/k8s for Parley', () => {
  const app = named('Deployment', 'parley') as Workload;

  it('runs the app as 2 replicas with liveness /healthz, readiness /readyz and a disruption budget', () => {
    expect(app.spec.replicas).toBe(2);
    const [container] = app.spec.template.spec.containers;
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    const pdb = named('PodDisruptionBudget', 'parley') as Manifest & {
      spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    };
    expect(pdb.spec.minAvailable).toBeLessThan(app.spec.replicas!);
    expect(pdb.spec.selector.matchLabels).toEqual(app.spec.selector.matchLabels);
  });

  it.each(workloads.map((w) => [where(w), w] as const))('%s: non-root, read-only root, no capabilities, resources', (_, workload) => {
    const pod = workload.spec.template.spec;
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    for (const container of pod.containers) {
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.securityContext?.capabilities?.add).toBeUndefined();
      expect(container.resources?.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
      expect(container.resources?.limits?.memory).toEqual(expect.any(String));
    }
    expect(workload.spec.selector.matchLabels).toEqual(expect.objectContaining(workload.spec.template.metadata.labels));
  });

  it('puts coturn and Janus on the host network, and nothing else', () => {
    expect(
      workloads
        .filter((w) => w.spec.template.spec.hostNetwork)
        .map(where)
        .sort(),
    ).toEqual(['DaemonSet/coturn', 'Deployment/janus']);
  });

  it('gives every Service pods to send to', () => {
    for (const { doc } of manifests.filter(({ doc }) => doc.kind === 'Service')) {
      const selector = (doc as Manifest & { spec: { selector: Record<string, string> } }).spec.selector;
      expect(workloads.some((w) => Object.entries(selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v))).toBe(true);
    }
  });

  it('references only ConfigMaps it defines, and the one Secret `parley`, whose values it never holds', () => {
    expect(manifests.filter(({ doc }) => doc.kind === 'Secret')).toEqual([]);
    const secretKeys = new Set<string>();
    for (const workload of workloads) {
      const pod = workload.spec.template.spec;
      for (const volume of pod.volumes ?? []) {
        if (volume.configMap) expect(named('ConfigMap', volume.configMap.name)).toBeDefined();
        if (volume.secret) expect(volume.secret.secretName).toBe('parley');
      }
      for (const container of pod.containers) {
        for (const source of container.envFrom ?? []) if (source.configMapRef) expect(named('ConfigMap', source.configMapRef.name)).toBeDefined();
        for (const { valueFrom } of container.env ?? []) {
          if (!valueFrom?.secretKeyRef) continue;
          expect(valueFrom.secretKeyRef.name).toBe('parley');
          secretKeys.add(valueFrom.secretKeyRef.key);
        }
      }
    }
    // deploy/README.md tells how to create the Secret, with these keys.
    const readme = readFileSync(join(ROOT, 'deploy/README.md'), 'utf8');
    for (const key of [...secretKeys, 'turn-secret']) expect(readme).toContain(`--from-literal=${key}=`);
  });

  it("configures coturn with the repository's tested turnserver.conf", () => {
    const config = named('ConfigMap', 'coturn-config') as Manifest & { data: Record<string, string> };
    expect(config.data['turnserver.conf']).toBe(readFileSync(join(ROOT, 'deploy/coturn/turnserver.conf'), 'utf8'));
  });

  it('runs Janus from the deploy/janus image, one pod behind the Service the app uses, the api_secret as a file', () => {
    const janus = named('Deployment', 'janus') as Workload & { spec: { strategy?: { type: string } } };
    expect(janus.spec.replicas).toBe(1);
    expect(janus.spec.strategy?.type).toBe('Recreate');
    const [container] = janus.spec.template.spec.containers as unknown as {
      image: string;
      env: { name: string; value?: string; valueFrom?: unknown }[];
      livenessProbe?: { exec?: { command: string[] } };
    }[];
    expect(container.image).toBe('parley-janus');
    expect(container.livenessProbe?.exec?.command).toEqual(['/opt/parley-janus/healthcheck.sh']);
    const env = Object.fromEntries(container.env.map(({ name, value, valueFrom }) => [name, value ?? valueFrom]));
    // start.sh prints a secret given as a value; a file's path instead.
    expect(env).not.toHaveProperty('JANUS_API_SECRET');
    expect(env.JANUS_API_SECRET_FILE).toBe('/run/parley-secrets/janus-api-secret');
    expect(env.JANUS_HOST).toEqual({ fieldRef: { fieldPath: 'status.hostIP' } });
    const config = named('ConfigMap', 'parley-config') as Manifest & { data: Record<string, string> };
    const service = named('Service', 'janus') as Manifest & { spec: { ports: { port: number }[] } };
    expect(config.data.JANUS_URLS).toBe(`ws://janus:${service.spec.ports[0].port}`);
    const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as { images: { name: string }[] };
    expect(kustomization.images.map((image) => image.name)).toEqual(expect.arrayContaining(['parley', 'parley-janus']));
    // The image the manifest runs is the one deploy/janus builds, with the scripts it names.
    const dockerfile = readFileSync(join(ROOT, 'deploy/janus/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/COPY start\.sh healthcheck\.sh \/opt\/parley-janus\//);
  });
});
