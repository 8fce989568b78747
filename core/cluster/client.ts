// The only code that talks to Kubernetes: applies objects with server-side
// apply (idempotent: re-applying the same object is a no-op), deletes them
// (404 means already gone), and reads what is there. No decisions live here —
// the planner decides, this applies.
//
// Every call is idempotent, so a throttled (429) or failing (5xx, network)
// call is retried a few times right here, honouring Retry-After, as client-go
// does; only what still fails reaches the provisioner's slower queue retry.
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { classifyClusterError, TransientClusterError } from './errors.js';

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

export class ClusterClient {
  private readonly objects: KubernetesObjectApi;

  constructor(
    kubeconfig: KubeConfig,
    private readonly retry: RetryPolicy = defaultRetryPolicy,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeconfig);
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
    let continueToken: string | undefined;
    do {
      const page = await this.call(() =>
        this.objects.list<T>(
          apiVersion,
          kind,
          opts.namespace,
          undefined,
          undefined,
          undefined,
          opts.fieldSelector,
          opts.labelSelector,
          opts.pageSize ?? 500,
          continueToken,
        ),
      );
      if (page === NOT_FOUND) return items; // the namespace is gone: nothing in it
      items.push(...page.items);
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken);
    return items;
  }
}
