// Alarms on what matters, to an SNS topic (ALARM_EMAIL subscribes to it):
// an intent the provisioner gave up on (DLQ not empty), provisioner errors,
// and a reconciler failing run after run.
import { settings } from './environment';
import { provisioner, reconciler } from './jobs';
import { deadLetters } from './queues';

export const alarms = new sst.aws.SnsTopic('Alarms');
// An email subscription (SnsTopic.subscribe takes functions, not addresses).
if (settings.alarmEmail)
  new aws.sns.TopicSubscription('AlarmEmail', {
    topic: alarms.arn,
    protocol: 'email',
    endpoint: settings.alarmEmail,
  });

const common = {
  alarmActions: [alarms.arn],
  okActions: [alarms.arn],
  treatMissingData: 'notBreaching',
  comparisonOperator: 'GreaterThanThreshold',
  threshold: 0,
  period: 60,
};

new aws.cloudwatch.MetricAlarm('DeadLettersNotEmpty', {
  ...common,
  alarmDescription: 'An intent reached the DLQ: the provisioner gave up on it (DEPLOY.md: alarms).',
  namespace: 'AWS/SQS',
  metricName: 'ApproximateNumberOfMessagesVisible',
  dimensions: { QueueName: deadLetters.nodes.queue.name },
  statistic: 'Maximum',
  evaluationPeriods: 1,
});

new aws.cloudwatch.MetricAlarm('ProvisionerErrors', {
  ...common,
  alarmDescription:
    'The provisioner failed (a whole invocation, not one record) in 3 of 5 minutes.',
  namespace: 'AWS/Lambda',
  metricName: 'Errors',
  dimensions: { FunctionName: provisioner.nodes.function.name },
  statistic: 'Sum',
  evaluationPeriods: 5,
  datapointsToAlarm: 3,
});

new aws.cloudwatch.MetricAlarm('ReconcilerFailures', {
  ...common,
  alarmDescription: 'The reconciler failed 3 runs in a row: drift is no longer repaired.',
  namespace: 'AWS/Lambda',
  metricName: 'Errors',
  dimensions: { FunctionName: reconciler.nodes.function.name },
  statistic: 'Sum',
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
});
