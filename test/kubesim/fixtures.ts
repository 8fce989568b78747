// Objects the kubesim suites share: a Deployment hardened the way Lablease
// builds it (passes Pod Security "restricted"), with requests and limits.
import type { V1Deployment } from '@kubernetes/client-node';

export const hardenedPodSecurity = {
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};

export function deployment(
  name: string,
  opts: {
    replicas?: number;
    image?: string;
    strategy?: 'Recreate' | 'RollingUpdate';
    progressDeadlineSeconds?: number;
  } = {},
): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      strategy: { type: opts.strategy ?? 'RollingUpdate' },
      ...(opts.progressDeadlineSeconds
        ? { progressDeadlineSeconds: opts.progressDeadlineSeconds }
        : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          securityContext: hardenedPodSecurity,
          containers: [
            {
              name: 'app',
              image: opts.image ?? 'nginx:1.27',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              resources: {
                requests: { cpu: '100m', memory: '128Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
            },
          ],
        },
      },
    },
  };
}
