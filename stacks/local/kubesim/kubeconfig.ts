// A kubeconfig for kubesim: one cluster, one bearer-token user, one context
// named 'kubesim' — usable by client-node (loadFromString) and kubectl.

import { stringify } from 'yaml';

export function kubeconfigYaml(server: string, token: string, name = 'kubesim'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node 2.x refuses plain http unless TLS verification is (vacuously) skipped.
    clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
