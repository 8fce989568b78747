// Pod facts several simulated components need: what it requests, whether it
// still runs, which claims it mounts, and how conditions are kept.
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import { max, parseResourceList, type ResourceList } from '../admission/quantity.js';
import type { KubeObject } from '../types.js';

export const isTerminal = (pod: KubeObject) =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** Requests the scheduler fits: sum of containers, at least the largest init container. */
export function podRequests(pod: KubeObject): ResourceList {
  const total: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) {
    for (const [k, v] of Object.entries(parseResourceList(c.resources?.requests)))
      total[k] = total[k] ? { milli: total[k]!.milli + v.milli, format: total[k]!.format } : v;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(parseResourceList(c.resources?.requests)))
      total[k] = total[k] ? max(total[k]!, v) : v;
  }
  return total;
}

export const claimNames = (pod: KubeObject): string[] =>
  (pod.spec?.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean);

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

/**
 * Sets a condition in place. lastTransitionTime changes only when the status
 * flips, as the real controllers keep it. Returns whether anything changed.
 */
export function setCondition(
  conditions: Condition[],
  next: Condition,
  now: string,
  opts: { moveToEnd?: boolean } = {},
): boolean {
  const i = conditions.findIndex((c) => c.type === next.type);
  const current = conditions[i];
  if (
    current &&
    current.status === next.status &&
    current.reason === next.reason &&
    current.message === next.message
  )
    return false;
  const merged: Condition = {
    ...next,
    lastTransitionTime:
      current && current.status === next.status ? current.lastTransitionTime : now,
  };
  if (i < 0) conditions.push(merged);
  else if (opts.moveToEnd) {
    conditions.splice(i, 1);
    conditions.push(merged);
  } else conditions[i] = merged;
  return true;
}

export const ownerRefTo = (owner: KubeObject) => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name!,
  uid: owner.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
});

export const controllerUid = (obj: KubeObject): string | undefined =>
  obj.metadata.ownerReferences?.find((r) => r.controller)?.uid;
