// The contract between kubesim's API server (apiserver/, server.ts, store.ts)
// and what runs on top of it (admission/, controllers/). Both sides code
// against these types only; see README.md in this folder for the layout.

/** Any Kubernetes object as stored: plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  // biome-ignore lint/suspicious/noExplicitAny: objects are schemaless JSON
  [field: string]: any;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

/** One served kind, e.g. pods in core/v1. */
export interface ResourceType {
  group: string; // '' for core
  version: string;
  kind: string;
  plural: string; // 'pods'
  singular: string; // 'pod'
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served besides the main resource: 'status', 'scale'. */
  subresources: Array<'status' | 'scale'>;
  /** Which name rule the API server applies to metadata.name. */
  nameRule: 'dns1123-label' | 'dns1123-subdomain' | 'dns1035-label' | 'path-segment';
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What admission plugins see. Mutating plugins may change `object` in place. */
export interface AdmissionRequest {
  operation: Operation;
  resource: ResourceType;
  subresource?: string;
  namespace?: string;
  name: string;
  /** The object being written (for DELETE: the stored object). */
  object: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  /** Warnings returned to the client as `Warning: 299 - "<text>"` headers. */
  warnings: string[];
  /** Who is writing: 'system:serviceaccount:kube-system:replicaset-controller' for controllers. */
  user: string;
}

/**
 * An admission plugin. The API server calls every plugin's `mutate` (in
 * registration order), then validates the object (422), then every plugin's
 * `validate`, then writes to storage (409 on conflicts). Throw a StatusError
 * (errors.ts) to reject.
 */
export interface AdmissionPlugin {
  name: string;
  mutate?(req: AdmissionRequest, api: ClusterApi): void | Promise<void>;
  validate?(req: AdmissionRequest, api: ClusterApi): void | Promise<void>;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Identity of the writer, for admission (defaults to the admin user). */
  user?: string;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  namespace?: string; // undefined = all namespaces
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

/**
 * The API server's verbs, in process. The HTTP layer is a thin translation
 * onto these; controllers use them directly, so everything a controller writes
 * passes the same admission, validation and storage rules as a client's write
 * (e.g. a ReplicaSet's pod rejected by Pod Security gets the real 403).
 * `resource` is the plural ('pods') optionally qualified by group
 * ('deployments.apps').
 */
export interface ClusterApi {
  resourceType(resource: string): ResourceType;
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, opts?: ListOptions): ListResult;
  /**
   * As list, without copying: the stored objects themselves, for in-process
   * readers that only look (a controller counting usage). Never modify them.
   */
  peek?(resource: string, opts?: ListOptions): ListResult;
  create(
    resource: string,
    namespace: string | undefined,
    obj: KubeObject,
    opts?: WriteOptions,
  ): Promise<KubeObject>;
  /**
   * Full replace; honours metadata.resourceVersion as a precondition when set.
   * subresource 'status' writes only status; 'scale' takes an autoscaling/v1
   * Scale; 'finalize' (namespaces) writes spec.finalizers — a deleting
   * namespace disappears once spec.finalizers and metadata.finalizers are both
   * empty. Writers whose `user` starts with 'system:' act as kube-system
   * components: they may set a pod's spec.nodeName (binding) and a namespace's
   * spec.finalizers in a plain update. An update that leaves a deleting object
   * with no finalizers (and no pending pod grace period) removes it.
   */
  update(
    resource: string,
    namespace: string | undefined,
    obj: KubeObject,
    opts?: WriteOptions & { subresource?: string },
  ): Promise<KubeObject>;
  delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    opts?: DeleteOptions,
  ): Promise<KubeObject | undefined>;
  /** Subscribe to every committed change of one resource (all namespaces). Returns an unsubscribe function. */
  subscribe(resource: string, fn: (event: WatchEvent) => void): () => void;
  /** Records a core/v1 Event about `involved` (reason, message, type Normal|Warning), as controllers do. */
  recordEvent(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source?: string,
  ): Promise<void>;
  /** The clock kubesim uses (injectable for tests). */
  now(): Date;
}

/** A controller runs on top of the ClusterApi until stopped. */
export interface Controller {
  name: string;
  start(api: ClusterApi): void;
  stop(): void;
}
