// The only code that talks to Kubernetes: applies objects with server-side
// apply (idempotent: re-applying the same object is a no-op), deletes them
// (404 means already gone), and reads what is there. No decisions live here —
// the planner decides, this applies.
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { classifyClusterError } from './errors.js';

export const FIELD_MANAGER = 'lablease';

export type KubeObject = KubernetesObject & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
};

export class ClusterClient {
  private readonly objects: KubernetesObjectApi;

  constructor(kubeconfig: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(kubeconfig);
  }

  /** Creates or updates to exactly this desired state; our fields win over anyone else's. */
  async apply<T extends KubeObject>(object: T): Promise<T> {
    try {
      return (await this.objects.patch(
        object,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      )) as T;
    } catch (err) {
      throw classifyClusterError(err) ?? err;
    }
  }

  /**
   * Changes only the fields in `patch` (JSON merge patch). For scaling: an
   * apply of a partial object would drop every field it leaves out.
   */
  async merge(
    ref: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
    patch: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.objects.patch(
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
      );
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw classifyClusterError(err) ?? err;
    }
  }

  /** Deletes in the background; answers false when it was already gone. */
  async delete(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<boolean> {
    try {
      await this.objects.delete(
        object as KubeObject,
        undefined,
        undefined,
        undefined,
        undefined,
        'Background',
      );
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw classifyClusterError(err) ?? err;
    }
  }

  /** The object, or undefined when it does not exist. */
  async read<T extends KubeObject>(
    ref: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
  ): Promise<T | undefined> {
    try {
      return (await this.objects.read(ref as KubeObject)) as T;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw classifyClusterError(err) ?? err;
    }
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
    try {
      do {
        const page = await this.objects.list<T>(
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
        );
        items.push(...page.items);
        continueToken = page.metadata?._continue || undefined;
      } while (continueToken);
    } catch (err) {
      throw classifyClusterError(err) ?? err;
    }
    return items;
  }
}
