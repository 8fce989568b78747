// Storage: the cluster's StorageClasses, the PV binder/provisioner that takes
// a claim from Pending to Bound (at once for Immediate classes, after the
// scheduler picks a node for WaitForFirstConsumer ones), and the
// pvc-protection controller that holds a deleted claim while a pod uses it.
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import type { ClusterApi, Controller, KubeObject } from '../types.js';
import { claimNames, isTerminal } from './pods.js';
import { keyOf, type Runtime, splitKey, WorkQueue } from './runtime.js';

export type VolumeBindingMode = 'Immediate' | 'WaitForFirstConsumer';

export const provisioner = 'kubesim.dev/hostpath';
export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';
const controllerUser = 'system:serviceaccount:kube-system:persistent-volume-binder';

/** The class's binding mode; unknown classes bind like Immediate ones unless their name says otherwise. */
export function bindingMode(api: ClusterApi, pvc: KubeObject): VolumeBindingMode {
  const cls: string | undefined = pvc.spec?.storageClassName;
  if (!cls) return 'Immediate';
  const sc = api.get('storageclasses', undefined, cls);
  if (sc?.volumeBindingMode) return sc.volumeBindingMode;
  return cls.includes('wait-for-first-consumer') ? 'WaitForFirstConsumer' : 'Immediate';
}

export interface StorageOptions {
  /** Binding mode of the default class `standard` (Immediate unless asked). */
  defaultBindingMode?: VolumeBindingMode;
}

/** `standard` (default) and `wait-for-first-consumer`, as a cloud cluster ships them. */
async function ensureStorageClasses(api: ClusterApi, opts: StorageOptions) {
  const classes: KubeObject[] = [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: 'standard',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner,
      reclaimPolicy: 'Delete',
      volumeBindingMode: opts.defaultBindingMode ?? 'Immediate',
      allowVolumeExpansion: true,
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'wait-for-first-consumer' },
      provisioner,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    },
  ];
  for (const sc of classes)
    if (!api.get('storageclasses', undefined, sc.metadata.name!))
      await api.create('storageclasses', undefined, sc);
}

export class VolumeBinder implements Controller {
  readonly name = 'persistentvolume-binder';
  private readonly queue: WorkQueue;
  private unsubscribe?: () => void;
  private readonly announced = new Set<string>();

  constructor(
    private readonly rt: Runtime,
    private readonly opts: StorageOptions,
  ) {
    this.queue = new WorkQueue(rt, (key) => this.sync(key));
  }

  start() {
    const api = this.rt.api;
    this.rt.run(() => ensureStorageClasses(api, this.opts));
    this.unsubscribe = this.rt.subscribe('persistentvolumeclaims', (ev) => {
      if (ev.type !== 'DELETED')
        this.queue.add(keyOf(ev.object.metadata.namespace, ev.object.metadata.name));
    });
    for (const pvc of api.list('persistentvolumeclaims').items)
      this.queue.add(keyOf(pvc.metadata.namespace, pvc.metadata.name));
  }

  stop() {
    this.unsubscribe?.();
  }

  private async sync(key: string) {
    const api = this.rt.api;
    const [ns, name] = splitKey(key);
    const pvc = api.get('persistentvolumeclaims', ns, name);
    if (!pvc || pvc.status?.phase === 'Bound' || pvc.metadata.deletionTimestamp) return;
    const mode = bindingMode(api, pvc);
    const selectedNode = pvc.metadata.annotations?.['volume.kubernetes.io/selected-node'];
    if (pvc.status?.phase !== 'Pending') await this.setPending(pvc);
    if (mode === 'WaitForFirstConsumer' && !selectedNode) {
      if (!this.announced.has(pvc.metadata.uid!)) {
        this.announced.add(pvc.metadata.uid!);
        await this.event(
          pvc,
          'Normal',
          'WaitForFirstConsumer',
          'waiting for first consumer to be created before binding',
        );
      }
      return;
    }
    await this.event(
      pvc,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    await this.event(
      pvc,
      'Normal',
      'Provisioning',
      `External provisioner is provisioning volume for claim "${ns}/${name}"`,
    );
    await this.rt.sleep(this.rt.delays.bind);
    const fresh = api.get('persistentvolumeclaims', ns, name);
    if (
      !fresh ||
      fresh.metadata.uid !== pvc.metadata.uid ||
      fresh.metadata.deletionTimestamp ||
      fresh.status?.phase === 'Bound'
    )
      return;
    const volumeName = `pvc-${fresh.metadata.uid}`;
    const annotations = {
      ...fresh.metadata.annotations,
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
      'volume.beta.kubernetes.io/storage-provisioner': provisioner,
      'volume.kubernetes.io/storage-provisioner': provisioner,
    };
    const bound = await api.update(
      'persistentvolumeclaims',
      ns,
      {
        ...fresh,
        metadata: { ...fresh.metadata, annotations },
        spec: { ...fresh.spec, volumeName },
      },
      { user: controllerUser },
    );
    await api.update(
      'persistentvolumeclaims',
      ns,
      {
        ...bound,
        status: {
          phase: 'Bound',
          accessModes: fresh.spec?.accessModes ?? ['ReadWriteOnce'],
          capacity: { storage: fresh.spec?.resources?.requests?.storage ?? '1Gi' },
        },
      },
      { subresource: 'status', user: controllerUser },
    );
    await this.event(
      bound,
      'Normal',
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${volumeName}`,
    );
  }

  private async setPending(pvc: KubeObject) {
    await this.rt.api.update(
      'persistentvolumeclaims',
      pvc.metadata.namespace,
      { ...pvc, status: { ...pvc.status, phase: 'Pending' } },
      { subresource: 'status', user: controllerUser },
    );
  }

  private async event(
    pvc: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ) {
    try {
      await this.rt.api.recordEvent(pvc, type, reason, message, 'persistentvolume-controller');
    } catch {}
  }
}

/** Removes kubernetes.io/pvc-protection from a deleted claim once no running pod mounts it. */
export class PvcProtection implements Controller {
  readonly name = 'pvc-protection';
  private readonly queue: WorkQueue;
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly rt: Runtime) {
    this.queue = new WorkQueue(rt, (key) => this.sync(key));
  }

  start() {
    const api = this.rt.api;
    this.unsubscribe.push(
      this.rt.subscribe('persistentvolumeclaims', (ev) => {
        if (ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp)
          this.queue.add(keyOf(ev.object.metadata.namespace, ev.object.metadata.name));
      }),
      this.rt.subscribe('pods', (ev) => {
        if (ev.type === 'DELETED' || isTerminal(ev.object))
          for (const claim of claimNames(ev.object))
            this.queue.add(keyOf(ev.object.metadata.namespace, claim));
      }),
    );
    for (const pvc of api.list('persistentvolumeclaims').items)
      if (pvc.metadata.deletionTimestamp)
        this.queue.add(keyOf(pvc.metadata.namespace, pvc.metadata.name));
  }

  stop() {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  private async sync(key: string) {
    const api = this.rt.api;
    const [ns, name] = splitKey(key);
    const pvc = api.get('persistentvolumeclaims', ns, name);
    if (
      !pvc?.metadata.deletionTimestamp ||
      !pvc.metadata.finalizers?.includes(pvcProtectionFinalizer)
    )
      return;
    const inUse = api
      .list('pods', { namespace: ns })
      .items.some((p) => !isTerminal(p) && claimNames(p).includes(name));
    if (inUse) return;
    await api.update(
      'persistentvolumeclaims',
      ns,
      {
        ...pvc,
        metadata: {
          ...pvc.metadata,
          finalizers: pvc.metadata.finalizers.filter((f) => f !== pvcProtectionFinalizer),
        },
      },
      { user: 'system:serviceaccount:kube-system:pvc-protection-controller' },
    );
  }
}
