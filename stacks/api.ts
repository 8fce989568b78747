// The HTTP API: API Gateway HTTP API → one Hono Lambda (functions/api.ts).
// The gateway comes first so the function can be told its own public URL
// (issuer of access tokens, base of OIDC callbacks) and the dashboard's origin.
import { apiFunction, settings } from './environment';
import { gateway } from './gateway';
import { web } from './web';

export const api = gateway;

api.route('$default', {
  ...apiFunction({
    API_URL: settings.apiDomain ? `https://${settings.apiDomain}` : gateway.url,
    WEB_ORIGIN: web.url,
  }),
  handler: 'functions/api.handler',
  timeout: '20 seconds',
});
