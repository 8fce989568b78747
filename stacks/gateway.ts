// The API's HTTP endpoint (routes are added by stacks/api.ts) and its public
// URL: the issuer of access tokens, the base of OIDC callbacks, and where the
// environments' gateway asks /auth/verify.
import { settings } from './deploy-settings';

export const gateway = new sst.aws.ApiGatewayV2('Api', {
  ...(settings.apiDomain ? { domain: settings.apiDomain } : {}),
  cors: false, // the app answers CORS itself, for the dashboard's origin only
});

export const apiUrl = settings.apiDomain ? `https://${settings.apiDomain}` : gateway.url;
