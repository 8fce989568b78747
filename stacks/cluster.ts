// Cluster access, for the provisioner and the reconciler only (the API never
// calls Kubernetes). On EKS: the function's role may describe the cluster (its
// endpoint and CA) and is mapped by an EKS access entry to the Kubernetes group
// that stacks/cluster/ (RBAC) binds. Elsewhere: the Kubeconfig secret.
import { secrets } from './secrets';
import { CLUSTER_GROUP, type Settings } from './settings';

export function clusterEnvironment(settings: Settings): Record<string, $util.Input<string>> {
  return settings.cluster.kind === 'eks'
    ? { LABLEASE_CLUSTER: 'eks', EKS_CLUSTER_NAME: settings.cluster.clusterName }
    : { LABLEASE_CLUSTER: 'kubeconfig', KUBECONFIG_DATA: secrets.Kubeconfig.value };
}

export function clusterPermissions(settings: Settings) {
  if (settings.cluster.kind !== 'eks') return [];
  const { clusterName } = settings.cluster;
  return [
    {
      actions: ['eks:DescribeCluster'],
      resources: [
        $interpolate`arn:${aws.getPartitionOutput().partition}:eks:${aws.getRegionOutput().region}:${aws.getCallerIdentityOutput().accountId}:cluster/${clusterName}`,
      ],
    },
  ];
}

/** Maps a function's role to CLUSTER_GROUP on EKS (nothing to do for other clusters). */
export function grantClusterAccess(
  name: string,
  settings: Settings,
  role: $util.Input<string>,
): void {
  if (settings.cluster.kind !== 'eks') return;
  new aws.eks.AccessEntry(`${name}ClusterAccess`, {
    clusterName: settings.cluster.clusterName,
    principalArn: role,
    type: 'STANDARD',
    kubernetesGroups: [CLUSTER_GROUP],
  });
}
