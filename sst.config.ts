/// <reference path="./.sst/platform/config.d.ts" />
// The Lablease app on AWS: `npx sst deploy --stage <stage>` (DEPLOY.md). One
// file per concern under stacks/; each exports what the others use.

export default $config({
  app(input) {
    const production = input?.stage === 'production' || input?.stage === 'prod';
    return {
      name: 'lablease',
      home: 'aws',
      // Never delete a production table or queue on `sst remove`.
      removal: production ? 'retain' : 'remove',
      protect: production,
    };
  },
  async run() {
    const { table } = await import('./stacks/table');
    const { intents } = await import('./stacks/queues');
    const { api } = await import('./stacks/api');
    const { web } = await import('./stacks/web');
    await import('./stacks/jobs');
    await import('./stacks/alarms');
    return {
      api: api.url,
      web: web.url,
      table: table.name,
      queue: intents.url,
    };
  },
});
