// The single DynamoDB table, from the same definition the local stack uses,
// and the one IAM statement that lets a function use it: the operations the
// code calls (core/store), on the table and its indexes by name.
import { isProduction } from './settings';
import { dynamoArgs } from './table-args';

const production = isProduction($app.stage);
const args = dynamoArgs();

export const table = new sst.aws.Dynamo('Table', {
  ...args,
  transform: {
    table: (table) => {
      table.pointInTimeRecovery = { enabled: production };
      table.deletionProtectionEnabled = production;
    },
  },
});

export const tablePermission = {
  actions: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
  resources: [
    table.arn,
    ...Object.keys(args.globalIndexes).map((index) => $interpolate`${table.arn}/index/${index}`),
  ],
};
