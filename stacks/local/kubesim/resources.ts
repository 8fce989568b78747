// The kinds kubesim serves, as the real API server (and the CRDs Lablease
// relies on) declare them. Discovery, routing, validation and kubectl's short
// names all read this one table.

import { StatusError } from './errors.js';
import type { ResourceType } from './types.js';

/** A served kind plus what only the API server needs to know about it. */
export interface ServedResource extends ResourceType {
  /** metadata.generation is kept and bumped on spec changes. */
  generation?: boolean;
  /** Resources kubectl groups under `kubectl get all`. */
  categories?: string[];
  /**
   * Served as if from a CustomResourceDefinition: list items keep apiVersion
   * and kind (built-in lists omit them), no strategic merge patch.
   */
  custom?: boolean;
}

const core = (r: Omit<ServedResource, 'group' | 'version'>): ServedResource => ({
  group: '',
  version: 'v1',
  ...r,
});

export const RESOURCES: readonly ServedResource[] = [
  core({
    kind: 'Namespace',
    plural: 'namespaces',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status'],
    nameRule: 'dns1123-label',
  }),
  core({
    kind: 'Node',
    plural: 'nodes',
    singular: 'node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    nameRule: 'dns1123-subdomain',
  }),
  core({
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    namespaced: true,
    shortNames: ['sa'],
    subresources: [],
    nameRule: 'dns1123-subdomain',
  }),
  core({
    kind: 'Secret',
    plural: 'secrets',
    singular: 'secret',
    namespaced: true,
    subresources: [],
    nameRule: 'dns1123-subdomain',
  }),
  core({
    kind: 'ConfigMap',
    plural: 'configmaps',
    singular: 'configmap',
    namespaced: true,
    shortNames: ['cm'],
    subresources: [],
    nameRule: 'dns1123-subdomain',
  }),
  core({
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    namespaced: true,
    shortNames: ['pvc'],
    subresources: ['status'],
    nameRule: 'dns1123-subdomain',
  }),
  core({
    kind: 'Pod',
    plural: 'pods',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    subresources: ['status'],
    nameRule: 'dns1123-subdomain',
    generation: true,
    categories: ['all'],
  }),
  core({
    kind: 'Service',
    plural: 'services',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    subresources: ['status'],
    nameRule: 'dns1035-label',
    categories: ['all'],
  }),
  core({
    kind: 'ResourceQuota',
    plural: 'resourcequotas',
    singular: 'resourcequota',
    namespaced: true,
    shortNames: ['quota'],
    subresources: ['status'],
    nameRule: 'dns1123-subdomain',
  }),
  core({
    kind: 'LimitRange',
    plural: 'limitranges',
    singular: 'limitrange',
    namespaced: true,
    shortNames: ['limits'],
    subresources: [],
    nameRule: 'dns1123-subdomain',
  }),
  core({
    kind: 'Event',
    plural: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    subresources: [],
    nameRule: 'dns1123-subdomain',
  }),
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    subresources: ['status', 'scale'],
    nameRule: 'dns1123-subdomain',
    generation: true,
    categories: ['all'],
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    plural: 'replicasets',
    singular: 'replicaset',
    namespaced: true,
    shortNames: ['rs'],
    subresources: ['status', 'scale'],
    nameRule: 'dns1123-subdomain',
    generation: true,
    categories: ['all'],
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    plural: 'ingresses',
    singular: 'ingress',
    namespaced: true,
    shortNames: ['ing'],
    subresources: ['status'],
    nameRule: 'dns1123-subdomain',
    generation: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    singular: 'networkpolicy',
    namespaced: true,
    shortNames: ['netpol'],
    subresources: [],
    nameRule: 'dns1123-subdomain',
    generation: true,
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    plural: 'storageclasses',
    singular: 'storageclass',
    namespaced: false,
    shortNames: ['sc'],
    subresources: [],
    nameRule: 'dns1123-subdomain',
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'HTTPRoute',
    plural: 'httproutes',
    singular: 'httproute',
    namespaced: true,
    subresources: ['status'],
    nameRule: 'dns1123-subdomain',
    generation: true,
    categories: ['gateway-api'],
    custom: true,
  },
  {
    // Consent for references from other namespaces (a SecurityPolicy's extAuth backend).
    group: 'gateway.networking.k8s.io',
    version: 'v1beta1',
    kind: 'ReferenceGrant',
    plural: 'referencegrants',
    singular: 'referencegrant',
    namespaced: true,
    shortNames: ['refgrant'],
    subresources: [],
    nameRule: 'dns1123-subdomain',
    generation: true,
    categories: ['gateway-api'],
    custom: true,
  },
  {
    group: 'gateway.envoyproxy.io',
    version: 'v1alpha1',
    kind: 'SecurityPolicy',
    plural: 'securitypolicies',
    singular: 'securitypolicy',
    namespaced: true,
    shortNames: ['sp'],
    subresources: ['status'],
    nameRule: 'dns1123-subdomain',
    generation: true,
    categories: ['envoy-gateway'],
    custom: true,
  },
];

/** 'pods' or 'deployments.apps': how kubesim keys a resource everywhere. */
export const resourceKey = (r: ResourceType) => (r.group ? `${r.plural}.${r.group}` : r.plural);

/** `pods`, `deployments.apps`: how error messages name a resource (GroupResource.String()). */
export const groupResource = resourceKey;

export const apiVersionOf = (r: ResourceType) => (r.group ? `${r.group}/${r.version}` : r.version);

const byKey = new Map<string, ServedResource>();
for (const r of RESOURCES) {
  byKey.set(resourceKey(r), r);
  // Unqualified plural, singular, kind and short names resolve too (first wins:
  // the table lists core kinds first, as kubectl prefers them).
  for (const alias of [r.plural, r.singular, r.kind.toLowerCase(), ...(r.shortNames ?? [])]) {
    if (!byKey.has(alias)) byKey.set(alias, r);
    if (r.group && !byKey.has(`${alias}.${r.group}`)) byKey.set(`${alias}.${r.group}`, r);
  }
}

/** Resolves 'pods', 'deployments.apps', 'deploy', 'Deployment'; throws 404 as the server would. */
export function resolveResource(name: string): ServedResource {
  const r = byKey.get(name) ?? byKey.get(name.toLowerCase());
  if (!r) {
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  }
  return r;
}

/** The resource served under a group/version path segment, e.g. ('apps', 'v1', 'deployments'). */
export function findResource(group: string, version: string, plural: string) {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** Served group/versions, core ('') first. */
export function groupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES)
    seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}
