import { describe, expect, it } from 'vitest';
import {
  aggregate,
  evaluatePod,
  parseModePolicy,
} from '../../stacks/local/kubesim/admission/pod-security-policy.js';

const restricted = { level: 'restricted', version: 'latest' } as const;
const baseline = { level: 'baseline', version: 'latest' } as const;

describe('Pod Security Standards checks', () => {
  it('lists every failing restricted check of a bare pod, in the real order and wording', () => {
    const spec = { containers: [{ name: 'c', image: 'nginx' }] };
    expect(aggregate(evaluatePod(restricted, {}, spec))).toBe(
      'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it('passes a pod hardened the way Lablease builds it', () => {
    const spec = {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'app',
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
          },
        },
      ],
      volumes: [
        { name: 'w', persistentVolumeClaim: { claimName: 'w' } },
        { name: 't', emptyDir: {} },
      ],
    };
    expect(evaluatePod(restricted, {}, spec)).toEqual([]);
  });

  it('puts baseline checks first and lets restricted checks replace the ones they override', () => {
    const spec = {
      hostNetwork: true,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 0,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'a',
          ports: [{ containerPort: 80, hostPort: 8080 }],
          securityContext: {
            privileged: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] },
          },
        },
      ],
      volumes: [{ name: 'h', hostPath: { path: '/' } }],
    };
    expect(aggregate(evaluatePod(restricted, {}, spec))).toBe(
      'host namespaces (hostNetwork=true), hostPort (container "a" uses hostPort 8080), ' +
        'privileged (container "a" must not set securityContext.privileged=true), ' +
        'unrestricted capabilities (container "a" must not include "SYS_ADMIN" in securityContext.capabilities.add), ' +
        'restricted volume types (volume "h" uses restricted volume type "hostPath"), ' +
        'runAsUser=0 (pod must not set runAsUser=0)',
    );
    expect(evaluatePod(baseline, {}, spec).map((r) => r.reason)).toEqual([
      'non-default capabilities',
      'host namespaces',
      'hostPath volumes',
      'hostPort',
      'privileged',
    ]);
  });

  it('reports invalid namespace label values like the API server', () => {
    expect(
      parseModePolicy({ 'pod-security.kubernetes.io/enforce': 'strict' }, 'enforce').errors,
    ).toEqual([
      {
        field: 'metadata.labels[pod-security.kubernetes.io/enforce]',
        message: 'Invalid value: "strict": must be one of privileged, baseline, restricted',
      },
    ]);
    expect(
      parseModePolicy(
        {
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/enforce-version': 'v1.29',
        },
        'enforce',
      ).policy,
    ).toEqual({ level: 'baseline', version: 29 });
  });
});
