// The dashboard as a static site, told where the API is at build time.
import { settings } from './environment';
import { gateway } from './gateway';

export const web = new sst.aws.StaticSite('Web', {
  path: 'web',
  build: { command: 'npx vite build', output: 'dist' },
  environment: {
    VITE_API_URL: settings.apiDomain ? `https://${settings.apiDomain}` : gateway.url,
  },
  ...(settings.webDomain ? { domain: settings.webDomain } : {}),
});
