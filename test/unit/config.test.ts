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

  it('keeps audit events 90 days unless AUDIT_RETENTION_DAYS says otherwise', () => {
    expect(loadConfig({}).auditRetentionDays).toBe(90);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '400' }).auditRetentionDays).toBe(400);
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '0' })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: 'forever' })).toThrow(/AUDIT_RETENTION_DAYS/);
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
