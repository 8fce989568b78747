// Discovery documents: /version, /api, /apis and the APIResourceLists that
// client-node's KubernetesObjectApi (kind → plural) and kubectl (short names,
// verbs, namespaced) read before anything else.

import { apiVersionOf, groupVersions, RESOURCES } from './resources.js';

export const KUBE_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.0' };

export function versionInfo() {
  return {
    major: KUBE_VERSION.major,
    minor: KUBE_VERSION.minor,
    gitVersion: `${KUBE_VERSION.gitVersion}+kubesim`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.22.5',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions() {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
  };
}

function apiGroup(name: string) {
  const versions = groupVersions()
    .filter((gv) => gv.group === name)
    .map((gv) => ({ groupVersion: `${gv.group}/${gv.version}`, version: gv.version }));
  if (!versions.length) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions, preferredVersion: versions[0] };
}

export function groupList() {
  const names = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== '');
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: names.map((n) => {
      const {
        kind: _k,
        apiVersion: _a,
        ...g
      } = apiGroup(n) as NonNullable<ReturnType<typeof apiGroup>>;
      return g;
    }),
  };
}

export { apiGroup };

const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export function resourceList(group: string, version: string) {
  const served = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!served.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of served) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ALL_VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    });
    for (const sub of r.subresources) {
      if (sub === 'status') {
        resources.push({
          name: `${r.plural}/status`,
          singularName: '',
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['get', 'patch', 'update'],
        });
      } else {
        resources.push({
          name: `${r.plural}/scale`,
          singularName: '',
          namespaced: r.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
      }
    }
    if (r.kind === 'Namespace')
      resources.push({
        name: 'namespaces/finalize',
        singularName: '',
        namespaced: false,
        kind: 'Namespace',
        verbs: ['update'],
      });
    if (r.kind === 'Pod')
      resources.push({
        name: 'pods/log',
        singularName: '',
        namespaced: true,
        kind: 'Pod',
        verbs: ['get'],
      });
    if (r.kind === 'Pod')
      resources.push({
        name: 'pods/binding',
        singularName: '',
        namespaced: true,
        kind: 'Binding',
        verbs: ['create'],
      });
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(served[0] as (typeof served)[number]),
    resources,
  };
}

const gvPath = (group: string, version: string) =>
  group ? `apis/${group}/${version}` : `api/${version}`;

/**
 * /openapi/v3: the index of per-group-version documents. kubectl reads it to
 * learn that the server validates fields itself (fieldValidation on PATCH), so
 * it sends `fieldValidation=Strict` instead of downloading schemas.
 */
export function openapiV3Index() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of groupVersions()) {
    const p = gvPath(group, version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=kubesim` };
  }
  return { paths };
}

/** A minimal OpenAPI v3 document for one group/version: each kind's PATCH operation, no schemas. */
export function openapiV3Doc(group: string, version: string) {
  const served = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!served.length) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of served) {
    const base = `/${gvPath(group, version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${r.namespaced ? 'Namespaced' : ''}${r.kind}`,
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string' } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
          { name: 'force', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: r.kind },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: `${KUBE_VERSION.gitVersion}+kubesim` },
    paths,
  };
}
