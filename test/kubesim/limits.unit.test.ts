import { describe, expect, it } from 'vitest';
import { limitViolations } from '../../stacks/local/kubesim/admission/limit-range.js';
import { parseResourceList, prettyPrint } from '../../stacks/local/kubesim/admission/quantity.js';
import {
  podConstraintViolation,
  usageOf,
} from '../../stacks/local/kubesim/admission/quota-usage.js';

const pod = (resources: object, name = 'c') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name, resources }] },
});
const item = (type: string, fields: Record<string, Record<string, string>>) => ({
  type,
  min: parseResourceList(fields.min),
  max: parseResourceList(fields.max),
  default: {},
  defaultRequest: {},
  maxLimitRequestRatio: parseResourceList(fields.maxLimitRequestRatio),
  raw: {},
});

describe('LimitRange constraints', () => {
  it('words max and min violations as the LimitRanger does', () => {
    expect(
      limitViolations(pod({ limits: { cpu: '2' }, requests: { cpu: '2' } }), [
        item('Container', { max: { cpu: '1' } }),
      ]),
    ).toEqual(['maximum cpu usage per Container is 1, but limit is 2.']);
    expect(
      limitViolations(pod({ requests: { memory: '64Mi' } }), [
        item('Container', { min: { memory: '128Mi' } }),
      ]),
    ).toEqual(['minimum memory usage per Container is 128Mi, but request is 64Mi.']);
    expect(limitViolations(pod({}), [item('Container', { max: { cpu: '1' } })])).toEqual([
      'maximum cpu usage per Container is 1.  No limit is specified.',
    ]);
  });
});

describe('quota usage', () => {
  it('counts a pod by its requests and limits, and names what a container must declare', () => {
    const p = pod({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
    expect(prettyPrint(usageOf({ plural: 'pods', group: '' }, p))).toBe(
      'count/pods=1,cpu=500m,limits.cpu=1,limits.memory=1Gi,memory=1Gi,pods=1,requests.cpu=500m,requests.memory=1Gi',
    );
    expect(
      podConstraintViolation(pod({ requests: { cpu: '1' } }), [
        'limits.cpu',
        'limits.memory',
        'pods',
      ]),
    ).toBe('must specify limits.cpu for: c; limits.memory for: c');
  });

  it('counts PVC storage, per class too, and any kind by count/<resource>.<group>', () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {},
      spec: { storageClassName: 'gp3', resources: { requests: { storage: '10Gi' } } },
    };
    expect(prettyPrint(usageOf({ plural: 'persistentvolumeclaims', group: '' }, pvc))).toBe(
      'count/persistentvolumeclaims=1,gp3.storageclass.storage.k8s.io/persistentvolumeclaims=1,gp3.storageclass.storage.k8s.io/requests.storage=10Gi,persistentvolumeclaims=1,requests.storage=10Gi',
    );
    expect(
      prettyPrint(
        usageOf(
          { plural: 'deployments', group: 'apps' },
          { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} },
        ),
      ),
    ).toBe('count/deployments.apps=1');
  });
});
