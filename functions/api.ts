// Lambda entry point of the HTTP API (API Gateway HTTP API → Hono).
import { handle } from 'hono/aws-lambda';
import { createApp } from '../core/api/app.js';
import { backendsFromConfig } from '../core/api/backends.js';
import { loadConfig } from '../core/config.js';

const config = loadConfig();

export const app = createApp({ config, backends: backendsFromConfig(config) });
export const handler = handle(app);
