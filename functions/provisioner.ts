// Lambda entry point of the provisioner: an SQS batch of intents, answered
// with partial batch failures so one bad record never blocks the others.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseIntent } from '../core/queue/intent.js';

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord) {
  const intent = parseIntent(record.body);
  // Convergence of the cluster to the environment's desired state arrives with
  // the environment lifecycle (issue 5); until then the intent is only logged.
  console.log(JSON.stringify({ level: 'info', message: 'intent received', ...intent }));
}

export const handler = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, { context });
