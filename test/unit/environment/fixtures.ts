// Record factories for the environment unit tests.
import type { Environment, Template, TierLimits } from '../../../core/environment/model.js';
import { initialStatus } from '../../../core/environment/model.js';

export const USER = '0123456789abcdef0123456789abcdef';
export const ENV_ID = 'eabcdefghijklmnop';

export function aTemplate(patch: Partial<Template> = {}): Template {
  return {
    id: 'jupyterlab',
    name: 'JupyterLab',
    description: '',
    image: 'quay.io/jupyter/base-notebook:2025-01-13',
    port: 8888,
    args: ['start-notebook.py', '--IdentityProvider.token='],
    env: [{ name: 'JUPYTER_PORT', value: '8888' }],
    workspacePath: '/home/jovyan',
    readinessPath: '/api',
    readOnlyRootFilesystem: false,
    defaultResources: { cpu: '500m', memory: '1Gi' },
    maxResources: { cpu: '4', memory: '16Gi' },
    volumeSizeGi: 10,
    tiers: ['free', 'pro'],
    enabled: true,
    ...patch,
  };
}

export const proLimits: TierLimits = {
  maxRunning: 3,
  maxTotal: 10,
  maxCpu: '4',
  maxMemory: '16Gi',
  idleTimeoutMinutes: 240,
  maxLifetimeHours: 72,
  volumeSizeGi: 50,
};

export function anEnvironment(patch: Partial<Environment> = {}): Environment {
  return {
    id: ENV_ID,
    ownerId: USER,
    spec: {
      name: 'My analysis',
      templateId: 'jupyterlab',
      resources: { cpu: '500m', memory: '1Gi' },
      volume: { name: `${ENV_ID}-workspace`, sizeGi: 10 },
    },
    desiredState: 'running',
    generation: 1,
    status: initialStatus(),
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...patch,
  };
}
