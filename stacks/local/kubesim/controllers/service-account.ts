// The ServiceAccount controller and root-CA publisher: every active namespace
// gets a `default` ServiceAccount (after a configurable delay, so the window
// in which pods are refused is testable) and the `kube-root-ca.crt` ConfigMap
// every pod's projected token volume refers to. A deleted `default` comes back.
import type { Controller } from '../types.js';
import { type Runtime, WorkQueue } from './runtime.js';

const user = 'system:serviceaccount:kube-system:service-account-controller';
const placeholderCa = '-----BEGIN CERTIFICATE-----\nkubesim\n-----END CERTIFICATE-----\n';

export class ServiceAccountController implements Controller {
  readonly name = 'serviceaccount';
  private readonly queue: WorkQueue;
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly rt: Runtime) {
    this.queue = new WorkQueue(rt, (ns) => this.sync(ns));
  }

  start() {
    const api = this.rt.api;
    const delay = this.rt.delays.serviceAccount;
    this.unsubscribe.push(
      this.rt.subscribe('namespaces', (ev) => {
        if (ev.type === 'ADDED') this.queue.add(ev.object.metadata.name!, delay);
      }),
      this.rt.subscribe('serviceaccounts', (ev) => {
        if (ev.type === 'DELETED' && ev.object.metadata.name === 'default')
          this.queue.add(ev.object.metadata.namespace!, delay);
      }),
      this.rt.subscribe('configmaps', (ev) => {
        if (ev.type === 'DELETED' && ev.object.metadata.name === 'kube-root-ca.crt')
          this.queue.add(ev.object.metadata.namespace!);
      }),
    );
    for (const ns of api.list('namespaces').items) this.queue.add(ns.metadata.name!);
  }

  stop() {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  private async sync(namespace: string) {
    const api = this.rt.api;
    const ns = api.get('namespaces', undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    if (!api.get('serviceaccounts', namespace, 'default'))
      await api.create(
        'serviceaccounts',
        namespace,
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } },
        { user },
      );
    if (!api.get('configmaps', namespace, 'kube-root-ca.crt'))
      await api.create(
        'configmaps',
        namespace,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'kube-root-ca.crt',
            namespace,
            annotations: {
              'kubernetes.io/description':
                'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
            },
          },
          data: { 'ca.crt': placeholderCa },
        },
        { user: 'system:serviceaccount:kube-system:root-ca-cert-publisher' },
      );
  }
}
