// A kubeconfig for kubesim: one cluster, one bearer-token user, one context
// named 'kubesim' — usable by client-node (loadFromString) and kubectl.

import { stringify } from 'yaml';

export function kubeconfigYaml(
  server: string,
  token: string,
  caPem: string,
  name = 'kubesim',
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
