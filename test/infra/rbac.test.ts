// The ClusterRole in stacks/cluster/ grants exactly what the workers use.
// The provisioner's converge and the reconciler run against kubesim through
// the real client (every router kind, the activity Secret, a full lifecycle:
// start, stop, start, delete with its data, and orphans cleaned up), kubesim
// records each (verb, group, resource) it serves, and the set must equal the
// ClusterRole's grants — nothing missing, nothing more. The manifests are
// validated against the Kubernetes schemas (kubernetes-models).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { RouterOptions } from '../../core/cluster/routes/index.js';
import type { Environment } from '../../core/environment/model.js';
import { reconcileCluster } from '../../core/jobs/reconciler.js';
import { RESOURCES } from '../../stacks/local/kubesim/resources.js';
import { CLUSTER_GROUP } from '../../stacks/settings.js';
import { setupTestCluster } from '../kubesim/support.js';
import { convergeHarness, exampleRouterOptions } from '../support/converge.js';
import { anEnvironment } from '../unit/environment/fixtures.js';
import { ROOT } from './sst-build.js';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

const DIR = join(ROOT, 'stacks/cluster');
const docs = (file: string) =>
  parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => d.toJSON());

const cluster = setupTestCluster();

/** `verb group/resource` for every request kubesim serves while recording. */
const served = new Set<string>();
const groupOf = new Map(RESOURCES.map((r) => [r.plural, r.group]));

function worker(env: Environment, routes: RouterOptions) {
  return convergeHarness(cluster.kc, env, {
    routes,
    activity: {
      token: async () => 'activity-token',
      url: (id) => `https://api.example.org/a/${id}`,
    },
  });
}

const anEnv = (id: string, owner: string) =>
  anEnvironment({
    id,
    ownerId: owner,
    spec: { ...anEnvironment().spec, volume: { name: `${id}-workspace`, sizeGi: 1 } },
  });

function grants(rules: Rule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules)
    for (const g of r.apiGroups)
      for (const res of r.resources) for (const v of r.verbs) out.add(`${v} ${g}/${res}`);
  return out;
}

describe('stacks/cluster RBAC', () => {
  beforeAll(async () => {
    const requests = cluster.sim.requests;
    const record = requests.record.bind(requests);
    requests.record = (info) => {
      const group = groupOf.get(info.resource.split('/')[0]!);
      served.add(`${info.verb} ${group ?? '?'}/${info.resource}`);
      record(info);
    };
    // The platform's namespace: the auth backend's, where the users' ReferenceGrants go.
    await cluster.sim.api.create('namespaces', undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'lablease-system' },
    });
    for (const [kind, id, owner] of [
      ['gateway', 'ecccccccccccccccc', 'c'.repeat(32)],
      ['ingress-nginx', 'edddddddddddddddd', 'd'.repeat(32)],
    ] as const) {
      const routes = exampleRouterOptions(kind);
      // A whole lifecycle: start, stop, start again, delete with the data.
      const w = worker(anEnv(id, owner), routes);
      await w.until('Running');
      w.set({ desiredState: 'stopped' });
      await w.until('Stopped');
      w.set({ desiredState: 'running' });
      await w.until('Running');
      const past = new Date(Date.now() - 60_000).toISOString();
      w.set({ desiredState: 'deleted', dataDeletion: { requestedAt: past, purgeAfter: past } });
      await w.until('Deleted');
      // Then one left running that no item knows of: the reconciler's orphans.
      const orphan = worker(anEnv(`${id.slice(0, 16)}f`, owner), routes);
      await orphan.until('Running');
      await reconcileCluster({
        environments: {
          livePage: async () => ({ items: [] }),
          writeStatus: async () => true,
          getMany: async () => new Map(),
          counters: async (owners: string[]) =>
            new Map(owners.map((o) => [o, { running: 0, total: 0 }])),
          globalRunning: async () => 0,
          correctCounters: async () => true,
          correctGlobalRunning: async () => true,
          allOfOwner: async () => [],
        } as never,
        orphanVolumes: { replace: async () => true },
        cluster: orphan.cl,
        queue: { publishMany: async () => 0 },
        now: () => new Date(Date.now() + 3_600_000),
        routes,
        log: () => {},
        options: { shards: 1 },
      });
    }
  }, 120_000);

  it('validates against the Kubernetes schemas, with a kustomization listing it', () => {
    const kustomization = docs('kustomization.yaml')[0];
    expect(kustomization).toMatchObject({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
    });
    const objects = kustomization.resources.flatMap((file: string) => docs(file));
    const kinds = objects.map((o: { kind: string }) => o.kind).sort();
    expect(kinds).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
    const models = { ClusterRole, ClusterRoleBinding, Role, RoleBinding } as const;
    for (const o of objects) {
      const model = new models[o.kind as keyof typeof models](o);
      expect(() => model.validate(), o.kind).not.toThrow();
    }
  });

  it('binds the role to the group the functions are mapped to (EKS access entries)', () => {
    const binding = docs('rbac.yaml').find((o) => o.kind === 'ClusterRoleBinding');
    const role = docs('rbac.yaml').find((o) => o.kind === 'ClusterRole');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: CLUSTER_GROUP },
    ]);
  });

  it('binds the referencegrants Role in the backend namespace to the same group', () => {
    const binding = docs('rbac.yaml').find((o) => o.kind === 'RoleBinding');
    const role = docs('rbac.yaml').find((o) => o.kind === 'Role');
    expect(role.metadata.namespace).toBe('lablease-system');
    expect(binding.metadata.namespace).toBe('lablease-system');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: CLUSTER_GROUP },
    ]);
  });

  it('grants no wildcard, no pods/exec, no secrets list/watch, no escalation', () => {
    const rules = docs('rbac.yaml')
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap((o) => o.rules as Rule[]);
    for (const rule of rules) {
      for (const field of [rule.apiGroups, rule.resources, rule.verbs])
        expect(field).not.toContain('*');
      expect(rule.resources).not.toContain('pods/exec');
      if (rule.resources.includes('secrets')) {
        expect(rule.verbs).not.toContain('list');
        expect(rule.verbs).not.toContain('watch');
        expect(rule.verbs).not.toContain('get');
      }
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['escalate']));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['bind']));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['impersonate']));
    }
  });

  it('grants exactly what the provisioner and the reconciler called', () => {
    const rules = docs('rbac.yaml')
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap((o) => o.rules as Rule[]);
    // A server-side apply that creates an object is authorized as `create` as
    // well as `patch` (kube-apiserver); kubesim records it as patch.
    const needed = new Set(served);
    for (const t of served) if (t.startsWith('patch ')) needed.add(t.replace(/^patch /, 'create '));
    expect([...served].some((t) => t.includes('?'))).toBe(false);
    expect([...grants(rules)].sort()).toEqual([...needed].sort());
  });
});
