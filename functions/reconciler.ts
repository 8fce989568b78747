// Lambda entry point of the reconciler (every minute): repairs drift between
// DynamoDB and the cluster (core/jobs/reconciler.ts).
import { ClusterClient } from '../core/cluster/client.js';
import { loadClusterKubeConfig, planOptionsFrom } from '../core/cluster/kubeconfig.js';
import { routerOptionsFrom } from '../core/cluster/routes/index.js';
import { loadConfig } from '../core/config.js';
import { reconcileCluster } from '../core/jobs/reconciler.js';
import { createWorkerServices } from '../core/services.js';
import { OrphanVolumeStore } from '../core/store/orphans.js';

const config = loadConfig();
const services = createWorkerServices(config);
const deps = {
  ...services,
  orphanVolumes: new OrphanVolumeStore(services.doc, config.tableName),
  cluster: new ClusterClient(await loadClusterKubeConfig(config)),
  planOptions: planOptionsFrom(config),
  routes: routerOptionsFrom(config),
};

export const handler = () => reconcileCluster(deps);
