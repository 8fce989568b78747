// The dashboard as a static site, told where the API is at build time.
import { settings } from './deploy-settings';
import { apiUrl } from './gateway';

export const web = new sst.aws.StaticSite('Web', {
  path: 'web',
  build: { command: 'npx vite build', output: 'dist' },
  environment: {
    VITE_API_URL: apiUrl,
  },
  ...(settings.webDomain ? { domain: settings.webDomain } : {}),
});
