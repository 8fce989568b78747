import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';

describe('loadConfig', () => {
  it('fills sane defaults for the local stack', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      stage: 'local',
      tableName: 'lablease',
      region: 'us-east-1',
      cluster: { kind: 'kubesim' },
      webOrigin: 'http://localhost:5173',
      environmentsDomain: 'env.localhost',
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ TABLE_NAME: '', LABLEASE_CLUSTER: '' }).tableName).toBe('lablease');
  });

  it('names every invalid variable in one error', () => {
    const attempt = () =>
      loadConfig({
        LABLEASE_CLUSTER: 'minikube',
        DYNAMODB_ENDPOINT: 'not a url',
        ENVIRONMENTS_DOMAIN: 'Env.Example',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/LABLEASE_CLUSTER: Invalid option/);
    expect(attempt).toThrow(/DYNAMODB_ENDPOINT: Invalid URL/);
    expect(attempt).toThrow(/ENVIRONMENTS_DOMAIN: must be a lowercase DNS name/);
  });
});
