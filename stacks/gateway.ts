// The API's HTTP endpoint (routes are added by stacks/api.ts).
import { settings } from './environment';

export const gateway = new sst.aws.ApiGatewayV2('Api', {
  ...(settings.apiDomain ? { domain: settings.apiDomain } : {}),
  cors: false, // the app answers CORS itself, for the dashboard's origin only
});
