// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for:
// the columns the real server prints for the kinds Lablease uses, so
// `kubectl get pods -A` reads as on a cluster.

import type { KubeObject } from './types.js';

interface Column {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
  cell: (o: KubeObject, now: Date) => unknown;
}

/** kubectl's short durations: 45s, 3m20s, 5h, 2d3h. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  return `${d}d`;
}

const age = (o: KubeObject, now: Date) =>
  o.metadata.creationTimestamp
    ? humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp))
    : '<unknown>';
const name: Column = { name: 'Name', format: 'name', cell: (o) => o.metadata.name };
const ageCol: Column = { name: 'Age', cell: age };

/** The STATUS kubectl shows for a pod: a waiting/terminated reason, Terminating, or the phase. */
export function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  let reason: string = o.status?.reason ?? o.status?.phase ?? 'Pending';
  for (const c of o.status?.initContainerStatuses ?? []) {
    const w = c.state?.waiting?.reason;
    if (w && w !== 'PodInitializing') return `Init:${w}`;
  }
  for (const c of o.status?.containerStatuses ?? []) {
    const w = c.state?.waiting?.reason;
    const t = c.state?.terminated?.reason;
    if (w) reason = w;
    else if (t) reason = t;
  }
  if (reason === 'Pending' && o.spec?.nodeName && !(o.status?.containerStatuses ?? []).length)
    reason = 'ContainerCreating';
  return reason;
}

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    name,
    {
      name: 'Ready',
      cell: (o) => {
        const cs = o.status?.containerStatuses ?? [];
        const total = (o.spec?.containers ?? []).length;
        return `${cs.filter((c: { ready?: boolean }) => c.ready).length}/${total}`;
      },
    },
    { name: 'Status', cell: podStatus },
    {
      name: 'Restarts',
      type: 'string',
      cell: (o) =>
        String(
          (o.status?.containerStatuses ?? []).reduce(
            (n: number, c: { restartCount?: number }) => n + (c.restartCount ?? 0),
            0,
          ),
        ),
    },
    ageCol,
    { name: 'IP', priority: 1, cell: (o) => o.status?.podIP ?? '<none>' },
    { name: 'Node', priority: 1, cell: (o) => o.spec?.nodeName ?? '<none>' },
  ],
  Deployment: [
    name,
    { name: 'Ready', cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => o.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', cell: (o) => o.status?.availableReplicas ?? 0 },
    ageCol,
  ],
  ReplicaSet: [
    name,
    { name: 'Desired', type: 'integer', cell: (o) => o.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', cell: (o) => o.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', cell: (o) => o.status?.readyReplicas ?? 0 },
    ageCol,
  ],
  Service: [
    name,
    { name: 'Type', cell: (o) => o.spec?.type ?? 'ClusterIP' },
    { name: 'Cluster-IP', cell: (o) => o.spec?.clusterIP ?? '<none>' },
    { name: 'External-IP', cell: () => '<none>' },
    {
      name: 'Port(s)',
      cell: (o) =>
        (o.spec?.ports ?? [])
          .map((p: { port: number; protocol?: string }) => `${p.port}/${p.protocol ?? 'TCP'}`)
          .join(',') || '<none>',
    },
    ageCol,
  ],
  PersistentVolumeClaim: [
    name,
    {
      name: 'Status',
      cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? 'Pending')),
    },
    { name: 'Volume', cell: (o) => o.spec?.volumeName ?? '' },
    { name: 'Capacity', cell: (o) => o.status?.capacity?.storage ?? '' },
    {
      name: 'Access Modes',
      cell: (o) =>
        (o.status?.accessModes ?? [])
          .map(
            (m: string) =>
              ({
                ReadWriteOnce: 'RWO',
                ReadOnlyMany: 'ROX',
                ReadWriteMany: 'RWX',
                ReadWriteOncePod: 'RWOP',
              })[m] ?? m,
          )
          .join(','),
    },
    { name: 'StorageClass', cell: (o) => o.spec?.storageClassName ?? '<unset>' },
    ageCol,
  ],
  ConfigMap: [
    name,
    {
      name: 'Data',
      type: 'integer',
      cell: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length,
    },
    ageCol,
  ],
  Secret: [
    name,
    { name: 'Type', cell: (o) => o.type ?? 'Opaque' },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys(o.data ?? {}).length },
    ageCol,
  ],
  ServiceAccount: [
    name,
    { name: 'Secrets', type: 'integer', cell: (o) => (o.secrets ?? []).length },
    ageCol,
  ],
  Ingress: [
    name,
    { name: 'Class', cell: (o) => o.spec?.ingressClassName ?? '<none>' },
    {
      name: 'Hosts',
      cell: (o) =>
        (o.spec?.rules ?? []).map((r: { host?: string }) => r.host ?? '*').join(',') || '*',
    },
    {
      name: 'Address',
      cell: (o) =>
        (o.status?.loadBalancer?.ingress ?? [])
          .map((i: { ip?: string; hostname?: string }) => i.ip ?? i.hostname)
          .join(','),
    },
    { name: 'Ports', cell: (o) => ((o.spec?.tls ?? []).length ? '80, 443' : '80') },
    ageCol,
  ],
  NetworkPolicy: [
    name,
    {
      name: 'Pod-Selector',
      cell: (o) =>
        Object.entries(o.spec?.podSelector?.matchLabels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '<none>',
    },
    ageCol,
  ],
  HTTPRoute: [
    name,
    {
      name: 'Hostnames',
      cell: (o) =>
        JSON.stringify(o.spec?.hostnames ?? [])
          .replace(/"/g, '')
          .replace(/,/g, ' '),
    },
    ageCol,
  ],
  Namespace: [name, { name: 'Status', cell: (o) => o.status?.phase ?? 'Active' }, ageCol],
  Node: [
    name,
    {
      name: 'Status',
      cell: (o) =>
        (o.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready')?.status ===
        'True'
          ? 'Ready'
          : 'NotReady',
    },
    { name: 'Roles', cell: () => '<none>' },
    ageCol,
    { name: 'Version', cell: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' },
  ],
  Event: [
    {
      name: 'Last Seen',
      cell: (o, now) =>
        o.lastTimestamp ? humanDuration(now.getTime() - Date.parse(o.lastTimestamp)) : '<unknown>',
    },
    { name: 'Type', cell: (o) => o.type ?? '' },
    { name: 'Reason', cell: (o) => o.reason ?? '' },
    {
      name: 'Object',
      cell: (o) =>
        `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}`,
    },
    { name: 'Message', cell: (o) => o.message ?? '' },
  ],
};

const columnsFor = (kind: string) => COLUMNS[kind] ?? [name, ageCol];

/** What each row embeds: the `includeObject` query parameter (kubectl --sort-by asks for Object). */
export type IncludeObject = 'None' | 'PartialObjectMetadata' | 'Object';

function row(o: KubeObject, cols: Column[], now: Date, include: IncludeObject) {
  const cells = cols.map((c) => c.cell(o, now));
  if (include === 'None') return { cells };
  if (include === 'Object') return { cells, object: o };
  return {
    cells,
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
  };
}

export function toTable(
  kind: string,
  objects: KubeObject[],
  now: Date,
  listMeta: { resourceVersion?: string; continue?: string } = {},
  withHeaders = true,
  include: IncludeObject = 'PartialObjectMetadata',
) {
  const cols = columnsFor(kind);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withHeaders
      ? cols.map((c) => ({
          name: c.name,
          type: c.type ?? 'string',
          format: c.format ?? '',
          description: '',
          priority: c.priority ?? 0,
        }))
      : [],
    rows: objects.map((o) => row(o, cols, now, include)),
  };
}

/** Whether an Accept header asks for a Table (kubectl get). */
export const wantsTable = (accept: string | undefined) => Boolean(accept?.includes('as=Table'));
