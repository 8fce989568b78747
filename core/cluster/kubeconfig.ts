// Which cluster the workers talk to, from configuration: kubesim or a
// kubeconfig (a file, the current context, or its text in KUBECONFIG_DATA),
// or EKS with an in-process token (eks-token.ts).
import { EKSClient } from '@aws-sdk/client-eks';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { type Config, ConfigError } from '../config.js';
import { describeEksCluster, EksTokenSource } from './eks-token.js';

export { environmentUrl, planOptionsFrom } from './urls.js';

/** A kubeconfig from configuration; EKS needs DescribeCluster first: loadClusterKubeConfig. */
export function loadKubeConfig(config: Pick<Config, 'cluster'>): KubeConfig {
  const kc = new KubeConfig();
  switch (config.cluster.kind) {
    case 'kubesim':
    case 'kubeconfig':
      if (config.cluster.kubeconfigData) kc.loadFromString(config.cluster.kubeconfigData);
      else if (config.cluster.kubeconfig) kc.loadFromFile(config.cluster.kubeconfig);
      else kc.loadFromDefault();
      if (!kc.getCurrentCluster())
        throw new ConfigError('Invalid configuration: the kubeconfig has no current cluster');
      return kc;
    case 'eks':
      throw new ConfigError('LABLEASE_CLUSTER=eks: use loadClusterKubeConfig (it calls EKS)');
  }
}

const EKS_AUTH = 'lablease-eks';

/**
 * The workers' kubeconfig. For EKS: the endpoint and CA from DescribeCluster
 * and, on every request, a bearer token renewed every 10 minutes.
 */
export async function loadClusterKubeConfig(
  config: Pick<Config, 'cluster' | 'region'>,
  deps: { eks?: EKSClient; now?: () => Date } = {},
): Promise<KubeConfig> {
  if (config.cluster.kind !== 'eks') return loadKubeConfig(config);
  const name = config.cluster.eksClusterName;
  if (!name) throw new ConfigError('Invalid configuration: EKS_CLUSTER_NAME is required');
  const eks = deps.eks ?? new EKSClient({ region: config.region });
  const cluster = await describeEksCluster(eks, name);
  const tokens = new EksTokenSource({
    clusterName: name,
    region: config.region,
    credentials: eks.config.credentials,
    now: deps.now,
  });
  const kc = new KubeConfig();
  // A custom authenticator must be added before the config that names it is loaded.
  kc.addAuthenticator({
    isAuthProvider: (user: User) => user.authProvider?.name === EKS_AUTH,
    applyAuthentication: async (_user, opts) => {
      opts.headers = { ...opts.headers, Authorization: `Bearer ${await tokens.token()}` };
    },
  });
  kc.loadFromOptions({
    clusters: [{ name, server: cluster.endpoint, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name: 'lablease', authProvider: { name: EKS_AUTH, config: {} } }],
    contexts: [{ name, cluster: name, user: 'lablease' }],
    currentContext: name,
  });
  return kc;
}
