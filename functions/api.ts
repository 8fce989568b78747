// Lambda entry point of the HTTP API (API Gateway HTTP API → Hono).
import { handle } from 'hono/aws-lambda';
import { createApp } from '../core/api/app.js';
import { backendsFromConfig } from '../core/api/backends.js';
import { createAuth } from '../core/auth/index.js';
import { loadConfig } from '../core/config.js';
import { createDocumentClient } from '../core/store/client.js';

const config = loadConfig();
const doc = createDocumentClient(config);

export const app = createApp({
  config,
  backends: backendsFromConfig(config),
  auth: await createAuth(config, doc),
});
export const handler = handle(app);
