// A template with a private image names its pull secret; the Deployment carries
// it, and a template without one carries no imagePullSecrets at all.
import { Deployment } from 'kubernetes-models/apps/v1';
import { describe, expect, it } from 'vitest';
import { workspaceDeployment } from '../../../core/cluster/manifests.js';
import { Template } from '../../../core/environment/model.js';
import { anEnvironment, aTemplate } from './fixtures.js';

describe('imagePullSecret', () => {
  it('reaches the pod spec when the template names one', () => {
    const template = aTemplate({ imagePullSecret: 'lab-registry' });
    const deployment = workspaceDeployment(anEnvironment(), template, 1);
    expect(deployment.spec?.template.spec?.imagePullSecrets).toEqual([{ name: 'lab-registry' }]);
    new Deployment(deployment as never).validate();
  });

  it('is absent otherwise', () => {
    const deployment = workspaceDeployment(anEnvironment(), aTemplate(), 1);
    expect(deployment.spec?.template.spec).not.toHaveProperty('imagePullSecrets');
  });

  it('must be a DNS-1123 name', () => {
    const base = { ...aTemplate() };
    expect(Template.safeParse({ ...base, imagePullSecret: 'Bad Name' }).success).toBe(false);
    expect(Template.safeParse({ ...base, imagePullSecret: 'ok-name' }).success).toBe(true);
  });
});
