// Describes the backends a configuration points at, for /api/v1/info. An
// endpoint override means a local engine (the local stack sets them); none
// means the AWS service itself.
import { environmentUrl } from '../cluster/urls.js';
import type { Config } from '../config.js';
import type { Backends } from './app.js';

export function backendsFromConfig(config: Config): Backends {
  return {
    dynamodb: config.dynamodbEndpoint
      ? { engine: 'DynamoDB Local', endpoint: config.dynamodbEndpoint, table: config.tableName }
      : { engine: 'Amazon DynamoDB', table: config.tableName },
    queue: config.sqsEndpoint
      ? { engine: 'fauxqs', endpoint: config.sqsEndpoint, url: config.intentQueueUrl }
      : { engine: 'Amazon SQS', url: config.intentQueueUrl },
    cluster: {
      kind: {
        kubesim: 'kubesim (Kubernetes API emulator)',
        kubeconfig: 'kubeconfig',
        eks: 'Amazon EKS',
      }[config.cluster.kind],
      ...(config.cluster.server ? { server: config.cluster.server } : {}),
    },
    ...(config.localRouter
      ? {
          router: {
            engine:
              config.localRouter === 'node' ? 'Node router (no nginx here)' : config.localRouter,
            environments: environmentUrl(config, '<envId>'),
          },
        }
      : {}),
  };
}
