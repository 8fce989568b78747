import type { Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { regionOfArn, settleBatch, toSqsEvent, toSqsRecord } from '../../stacks/local/sqs-event.js';

const source = { queueArn: 'arn:aws:sqs:eu-west-1:000000000000:intents', region: 'eu-west-1' };

function message(id: string, extra: Partial<Message> = {}): Message {
  return {
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: `body-${id}`,
    MD5OfBody: 'md5',
    Attributes: {
      ApproximateReceiveCount: '2',
      SentTimestamp: '1700000000000',
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: '1700000000100',
    },
    ...extra,
  };
}

describe('toSqsRecord', () => {
  it('maps an SDK message to the record Lambda delivers', () => {
    const record = toSqsRecord(
      message('m1', {
        MD5OfMessageAttributes: 'md5attrs',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'intent' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
          n: { DataType: 'Number.int', StringValue: '5' },
        },
      }),
      source,
    );
    expect(record).toEqual({
      messageId: 'm1',
      receiptHandle: 'rh-m1',
      body: 'body-m1',
      attributes: {
        ApproximateReceiveCount: '2',
        SentTimestamp: '1700000000000',
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: '1700000000100',
      },
      messageAttributes: {
        kind: {
          stringValue: 'intent',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'String',
        },
        blob: {
          binaryValue: 'AQID',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'Binary',
        },
        n: { stringValue: '5', stringListValues: [], binaryListValues: [], dataType: 'Number.int' },
      },
      md5OfBody: 'md5',
      md5OfMessageAttributes: 'md5attrs',
      eventSource: 'aws:sqs',
      eventSourceARN: source.queueArn,
      awsRegion: 'eu-west-1',
    });
  });

  it('keeps FIFO attributes and gives an empty object when there are no message attributes', () => {
    const record = toSqsRecord(
      message('m2', {
        Attributes: { ...message('m2').Attributes, MessageGroupId: 'g', SequenceNumber: '7' },
      }),
      source,
    );
    expect(record.attributes).toMatchObject({ MessageGroupId: 'g', SequenceNumber: '7' });
    expect(record.messageAttributes).toEqual({});
    expect(record).not.toHaveProperty('md5OfMessageAttributes');
  });

  it('refuses a message without id or receipt handle', () => {
    expect(() => toSqsRecord({ Body: 'x' }, source)).toThrow(/MessageId or ReceiptHandle/);
  });
});

describe('settleBatch', () => {
  const event: SQSEvent = toSqsEvent([message('a'), message('b'), message('c')], source);

  it.each([
    ['no response', undefined],
    ['null', null],
    ['an empty object', {}],
    ['null batchItemFailures', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('treats %s as a complete success', (_, response) => {
    expect(settleBatch(event, response)).toEqual({
      kind: 'success',
      deleteIds: ['a', 'b', 'c'],
      failedIds: [],
    });
  });

  it('deletes all but the listed records', () => {
    const response = { batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'b' }] };
    expect(settleBatch(event, response)).toEqual({
      kind: 'success',
      deleteIds: ['a', 'c'],
      failedIds: ['b'],
    });
  });

  it.each([
    ['an unknown id', { batchItemFailures: [{ itemIdentifier: 'zzz' }] }],
    ['an empty id', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null id', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'a' }] }],
    ['a non-list', { batchItemFailures: 'a' }],
    ['a string response', 'ok'],
  ])('fails the whole batch on %s', (_, response) => {
    expect(settleBatch(event, response)).toMatchObject({ kind: 'failure' });
  });
});

describe('regionOfArn', () => {
  it('reads the region field', () => {
    expect(regionOfArn(source.queueArn)).toBe('eu-west-1');
    expect(regionOfArn('nonsense')).toBeUndefined();
  });
});
