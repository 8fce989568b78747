// Lambda entry point of the HTTP API (API Gateway HTTP API → Hono).
import { handle } from 'hono/aws-lambda';
import { createApp } from '../core/api/app.js';
import { backendsFromConfig } from '../core/api/backends.js';
import { loadConfig } from '../core/config.js';
import { createServices } from '../core/services.js';

const config = loadConfig();
const services = await createServices(config);

export const app = createApp({
  config,
  backends: backendsFromConfig(config),
  auth: services.auth,
  environments: { lifecycle: services.lifecycle, environments: services.environments },
  admin: services.admin,
  access: services.access,
});
export const handler = handle(app);
