// The HTTP API: API Gateway HTTP API → one Hono Lambda (functions/api.ts).
// The gateway and the dashboard come first: the function is told both URLs.
import { apiFunction } from './environment';
import { gateway } from './gateway';
import { web } from './web';

export const api = gateway;

api.route('$default', {
  ...apiFunction({ WEB_ORIGIN: web.url }),
  handler: 'functions/api.handler',
  timeout: '20 seconds',
});
