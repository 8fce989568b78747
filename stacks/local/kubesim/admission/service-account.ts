// ServiceAccount admission: a pod runs as `default` unless it names an
// account, the account must exist, and (unless opted out) the pod gets the
// projected API token volume every real pod shows.
// A namespace's `default` account is created asynchronously by a controller,
// so, as the real plugin does, the lookup of `default` is retried for a
// moment before the pod is refused.
import { randomBytes } from 'node:crypto';
import type { AdmissionPlugin, ClusterApi, KubeObject } from '../types.js';
import { forbiddenFor, isPodCreate } from './request.js';

export interface ServiceAccountAdmissionOptions {
  /** How long to keep looking for a namespace's `default` account (real: ~10 tries of 100-200ms). */
  defaultAccountWaitMs?: number;
}

const tokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export const randomSuffix = (n = 5): string =>
  Array.from(randomBytes(n), (b) => suffixAlphabet[b % suffixAlphabet.length]).join('');

async function findAccount(api: ClusterApi, ns: string, name: string, waitMs: number) {
  const deadline = Date.now() + (name === 'default' ? waitMs : 0);
  for (;;) {
    const sa = api.get('serviceaccounts', ns, name);
    if (sa || Date.now() >= deadline) return sa;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function mountToken(pod: KubeObject) {
  const spec = pod.spec;
  const volumes: KubeObject['spec'][] = spec.volumes ?? [];
  if (
    spec.containers?.some((c: { volumeMounts?: { mountPath: string }[] }) =>
      c.volumeMounts?.some((m) => m.mountPath === tokenMountPath),
    )
  )
    return;
  const name = `kube-api-access-${randomSuffix()}`;
  volumes.push({
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [
              {
                path: 'namespace',
                fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
              },
            ],
          },
        },
      ],
    },
  });
  spec.volumes = volumes;
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of list ?? []) {
      c.volumeMounts = [
        ...(c.volumeMounts ?? []),
        { name, readOnly: true, mountPath: tokenMountPath },
      ];
    }
  }
}

export function serviceAccountAdmission(
  opts: ServiceAccountAdmissionOptions = {},
): AdmissionPlugin {
  const waitMs = opts.defaultAccountWaitMs ?? 1000;
  return {
    name: 'ServiceAccount',
    async mutate(req, api) {
      if (!isPodCreate(req) || !req.namespace) return;
      const pod = req.object;
      pod.spec ??= {};
      const name: string = pod.spec.serviceAccountName || pod.spec.serviceAccount || 'default';
      pod.spec.serviceAccountName = name;
      pod.spec.serviceAccount = name; // the deprecated alias the API server still fills in
      const sa = await findAccount(api, req.namespace, name, waitMs);
      if (!sa)
        throw forbiddenFor(
          req,
          `error looking up service account ${req.namespace}/${name}: serviceaccount "${name}" not found`,
        );
      const automount =
        pod.spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
      if (automount) mountToken(pod);
    },
  };
}
