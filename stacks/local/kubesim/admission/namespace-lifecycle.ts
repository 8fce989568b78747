// NamespaceLifecycle: nothing new may be created in a namespace that does not
// exist (404) or is being deleted (403), and the immortal namespaces cannot be
// deleted. Runs first, so these answers win over every other plugin's.
import { forbidden, notFound } from '../errors.js';
import type { AdmissionPlugin } from '../types.js';
import { forbiddenFor } from './request.js';

const immortal = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceLifecycle(): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    mutate(req, api) {
      if (req.resource.plural === 'namespaces' && req.resource.group === '') {
        if (req.operation === 'DELETE' && immortal.has(req.name))
          throw forbidden('namespaces', req.name, 'this namespace may not be deleted');
        return;
      }
      if (req.operation !== 'CREATE' || !req.namespace || !req.resource.namespaced) return;
      const ns = api.get('namespaces', undefined, req.namespace);
      if (!ns) throw notFound('namespaces', req.namespace);
      if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
        const message = `unable to create new content in namespace ${req.namespace} because it is being terminated`;
        const err = forbiddenFor(req, message);
        err.details!.causes = [
          { reason: 'NamespaceTerminating', message, field: 'metadata.namespace' },
        ];
        throw err;
      }
    },
  };
}
