// Which cluster the workers talk to, from configuration.
import { KubeConfig } from '@kubernetes/client-node';
import { type Config, ConfigError } from '../config.js';

export function loadKubeConfig(config: Pick<Config, 'cluster'>): KubeConfig {
  const kc = new KubeConfig();
  switch (config.cluster.kind) {
    case 'kubesim':
    case 'kubeconfig':
      if (config.cluster.kubeconfig) kc.loadFromFile(config.cluster.kubeconfig);
      else kc.loadFromDefault();
      if (!kc.getCurrentCluster())
        throw new ConfigError('Invalid configuration: the kubeconfig has no current cluster');
      return kc;
    case 'eks':
      throw new ConfigError(
        'LABLEASE_CLUSTER=eks: in-process EKS tokens are not built yet; use a kubeconfig (LABLEASE_CLUSTER=kubeconfig)',
      );
  }
}

/** Where an environment is served: its own host on the environments domain. */
export function environmentUrl(config: Pick<Config, 'environmentsDomain'>, envId: string): string {
  const local = /(^|\.)localhost(:\d+)?$/.test(config.environmentsDomain);
  return `${local ? 'http' : 'https'}://${envId}.${config.environmentsDomain}/`;
}

/** The planner's inputs from configuration: the provisioner and the reconciler must plan alike. */
export function planOptionsFrom(
  config: Pick<Config, 'environmentsDomain' | 'provisionerPollSeconds'>,
) {
  return {
    url: (envId: string) => environmentUrl(config, envId),
    deadlines: { pollSeconds: config.provisionerPollSeconds },
  };
}
