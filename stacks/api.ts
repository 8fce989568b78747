// The HTTP API: API Gateway HTTP API → one Hono Lambda (functions/api.ts).
import { functionDefaults } from './environment';

export const api = new sst.aws.ApiGatewayV2('Api', {
  ...(process.env.API_DOMAIN ? { domain: process.env.API_DOMAIN } : {}),
});

api.route('$default', {
  ...functionDefaults,
  handler: 'functions/api.handler',
  timeout: '20 seconds',
});
