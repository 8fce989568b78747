// The only code that talks to Kubernetes: applies objects with server-side
// apply (idempotent: re-applying the same object is a no-op), deletes them
// (404 means already gone), and reads what is there. No decisions live here —
// the planner decides, this applies.
//
// Every call is idempotent, so a throttled (429) or failing (5xx, network)
// call is retried a few times right here, honouring Retry-After, as client-go
// does; only what still fails reaches the provisioner's slower queue retry.
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { classifyClusterError, PermanentClusterError, TransientClusterError } from './errors.js';

export const FIELD_MANAGER = 'lablease';

export type KubeObject = KubernetesObject & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
};

type Ref = Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>;

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  attempts: number;
  /** Back-off before retry n is baseMs · 2^(n-1), or the server's Retry-After, never above maxMs. */
  baseMs: number;
  maxMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 4,
  baseMs: 100,
  maxMs: 2_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const NOT_FOUND = Symbol('not found');

/**
 * The API groups client-node has typed models for (its util.ts). A list of
 * any other kind (HTTPRoute, SecurityPolicy) is deserialised as a generic
 * object whose metadata drops `continue`, so paging through
 * KubernetesObjectApi would silently stop after the first page: those are
 * listed through CustomObjectsApi, which returns the JSON as sent. A group
 * missing here only takes the custom path, which works for any group.
 */
const TYPED_GROUPS = new Set([
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

/** KubernetesObjectApi with its discovery (kind → plural) usable here. */
class ObjectsApi extends KubernetesObjectApi {
  static make(kubeconfig: KubeConfig): ObjectsApi {
    const api = kubeconfig.makeApiClient(ObjectsApi);
    api.setDefaultNamespace(kubeconfig);
    return api;
  }

  async pluralOf(apiVersion: string, kind: string): Promise<string | undefined> {
    return (await this.resource(apiVersion, kind))?.name;
  }
}

export class ClusterClient {
  private readonly objects: ObjectsApi;
  private readonly custom: CustomObjectsApi;

  constructor(
    kubeconfig: KubeConfig,
    private readonly retry: RetryPolicy = defaultRetryPolicy,
  ) {
    this.objects = ObjectsApi.make(kubeconfig);
    this.custom = kubeconfig.makeApiClient(CustomObjectsApi);
  }

  /** Runs one idempotent call: 404 answers NOT_FOUND, transient errors are retried, the rest classified. */
  private async call<T>(fn: () => Promise<T>): Promise<T | typeof NOT_FOUND> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if ((err as { code?: number }).code === 404) return NOT_FOUND;
        const classified = classifyClusterError(err);
        if (!(classified instanceof TransientClusterError) || attempt >= this.retry.attempts)
          throw classified ?? err;
        const backoff = classified.retryAfterSeconds
          ? classified.retryAfterSeconds * 1000
          : this.retry.baseMs * 2 ** (attempt - 1);
        await this.retry.sleep(Math.min(this.retry.maxMs, backoff));
      }
    }
  }

  /** Creates or updates to exactly this desired state; our fields win over anyone else's. */
  async apply<T extends KubeObject>(object: T): Promise<T> {
    const result = await this.call(() =>
      this.objects.patch(
        object,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      ),
    );
    // Apply creates what is missing: a 404 here means the namespace itself is gone.
    if (result === NOT_FOUND)
      throw new TransientClusterError(
        `the namespace of ${object.kind} ${object.metadata.name} does not exist yet`,
        undefined,
      );
    return result as T;
  }

  /**
   * Changes only the fields in `patch` (JSON merge patch). For scaling: an
   * apply of a partial object would drop every field it leaves out.
   */
  async merge(ref: Ref, patch: Record<string, unknown>): Promise<boolean> {
    const result = await this.call(() =>
      this.objects.patch(
        {
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: ref.metadata,
          ...patch,
        } as KubeObject,
        undefined,
        undefined,
        FIELD_MANAGER,
        undefined,
        PatchStrategy.MergePatch,
      ),
    );
    return result !== NOT_FOUND;
  }

  /** Deletes in the background; answers false when it was already gone. */
  async delete(ref: Ref): Promise<boolean> {
    const result = await this.call(() =>
      this.objects.delete(
        ref as KubeObject,
        undefined,
        undefined,
        undefined,
        undefined,
        'Background',
      ),
    );
    return result !== NOT_FOUND;
  }

  /** The object, or undefined when it does not exist. */
  async read<T extends KubeObject>(ref: Ref): Promise<T | undefined> {
    const result = await this.call(() => this.objects.read(ref as KubeObject));
    return result === NOT_FOUND ? undefined : (result as T);
  }

  /** Every object of a kind matching the selectors, across pages. */
  async list<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    opts: {
      namespace?: string;
      labelSelector?: string;
      fieldSelector?: string;
      pageSize?: number;
    } = {},
  ): Promise<T[]> {
    const items: T[] = [];
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const custom = group !== '' && !TYPED_GROUPS.has(group!);
    const plural = custom
      ? await this.call(() => this.objects.pluralOf(apiVersion, kind))
      : undefined;
    if (custom && (plural === NOT_FOUND || plural === undefined))
      throw new PermanentClusterError(
        'NotServed',
        `The cluster does not serve ${kind} (${apiVersion}).`,
        404,
      );
    const limit = opts.pageSize ?? 500;
    let continueToken: string | undefined;
    do {
      const page = await this.call(
        (): Promise<{ items: T[]; metadata?: { _continue?: string; continue?: string } }> => {
          if (!custom)
            return this.objects.list<T>(
              apiVersion,
              kind,
              opts.namespace,
              undefined,
              undefined,
              undefined,
              opts.fieldSelector,
              opts.labelSelector,
              limit,
              continueToken,
            );
          const request = {
            group: group!,
            version: version!,
            plural: plural as string,
            fieldSelector: opts.fieldSelector,
            labelSelector: opts.labelSelector,
            limit,
            _continue: continueToken,
          };
          return opts.namespace
            ? this.custom.listNamespacedCustomObject({ ...request, namespace: opts.namespace })
            : this.custom.listClusterCustomObject(request);
        },
      );
      if (page === NOT_FOUND) return items; // the namespace is gone: nothing in it
      items.push(...page.items);
      // Typed lists name it `_continue`; JSON as sent (custom kinds), `continue`.
      continueToken = page.metadata?._continue || page.metadata?.continue || undefined;
    } while (continueToken);
    return items;
  }
}
