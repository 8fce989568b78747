// Storage admission: DefaultStorageClass gives a claim without a class the
// cluster's default one, and StorageObjectInUseProtection puts the
// kubernetes.io/pvc-protection finalizer on every new claim, so a claim in
// use is never removed under a running pod.
import type { AdmissionPlugin } from '../types.js';

const isPvcCreate = (req: Parameters<NonNullable<AdmissionPlugin['mutate']>>[0]) =>
  req.operation === 'CREATE' &&
  !req.subresource &&
  req.resource.group === '' &&
  req.resource.plural === 'persistentvolumeclaims';

export function defaultStorageClass(): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    mutate(req, api) {
      if (!isPvcCreate(req)) return;
      req.object.spec ??= {};
      const spec = req.object.spec;
      if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
      const defaults = api
        .list('storageclasses')
        .items.filter(
          (sc) =>
            sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
        )
        .sort((a, b) =>
          (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
        );
      if (defaults[0]) spec.storageClassName = defaults[0].metadata.name;
    },
  };
}

export function storageObjectInUseProtection(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    mutate(req) {
      if (!isPvcCreate(req)) return;
      const md = req.object.metadata;
      if (!md.finalizers?.includes('kubernetes.io/pvc-protection'))
        md.finalizers = [...(md.finalizers ?? []), 'kubernetes.io/pvc-protection'];
    },
  };
}
