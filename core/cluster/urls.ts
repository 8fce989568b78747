// Where environments are served and how the planner is configured: free of the
// Kubernetes client, so the API (which never calls Kubernetes) can use it
// without bundling @kubernetes/client-node (test/infra/bundles.test.ts).
import type { Config } from '../config.js';

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
