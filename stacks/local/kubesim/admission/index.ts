// The admission chain kubesim installs by default, in the order the real
// kube-apiserver runs them: namespace lifecycle and defaulting (mutating)
// first, then the validating checks. The API server calls every `mutate` in
// this order, validates the object (422), then every `validate` (403s), then
// storage (409) — so a create under a full quota answers 403 before 409.
import type { AdmissionPlugin } from '../types.js';
import { limitRanger } from './limit-range.js';
import { namespaceLifecycle } from './namespace-lifecycle.js';
import { podSecurity } from './pod-security.js';
import { resourceQuota } from './resource-quota.js';
import { type ServiceAccountAdmissionOptions, serviceAccountAdmission } from './service-account.js';
import { defaultStorageClass, storageObjectInUseProtection } from './storage.js';

export type AdmissionOptions = ServiceAccountAdmissionOptions;
export { pendingCharges } from './resource-quota.js';

export function defaultAdmissionPlugins(opts: AdmissionOptions = {}): AdmissionPlugin[] {
  return [
    namespaceLifecycle(),
    limitRanger(),
    serviceAccountAdmission(opts),
    defaultStorageClass(),
    storageObjectInUseProtection(),
    podSecurity(),
    resourceQuota(),
  ];
}
