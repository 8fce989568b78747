// The single DynamoDB table, from the same definition the local stack uses.
import { dynamoArgs } from './table-args';

const production = ['production', 'prod'].includes($app.stage);

export const table = new sst.aws.Dynamo('Table', {
  ...dynamoArgs(),
  transform: {
    table: (args) => {
      args.pointInTimeRecovery = { enabled: production };
      args.deletionProtectionEnabled = production;
    },
  },
});
