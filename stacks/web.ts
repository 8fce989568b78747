// The dashboard as a static site, told where the API is at build time.
import { api } from './api';

export const web = new sst.aws.StaticSite('Web', {
  path: 'web',
  build: { command: 'npx vite build', output: 'dist' },
  environment: { VITE_API_URL: api.url },
  ...(process.env.WEB_DOMAIN ? { domain: process.env.WEB_DOMAIN } : {}),
});
