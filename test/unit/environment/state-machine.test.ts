import { describe, expect, it } from 'vitest';
import type { DesiredState, Phase } from '../../../core/environment/model.js';
import {
  type Operation,
  TransitionNotAllowed,
  transition,
} from '../../../core/environment/state-machine.js';
import { DomainError } from '../../../core/errors.js';
import { anEnvironment } from './fixtures.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const opts = { dataRetentionDays: 7 };

function env(desiredState: DesiredState, phase: Phase, dataDeletion?: { purgeAfter: string }) {
  const e = anEnvironment({ desiredState });
  e.status.phase = phase;
  if (dataDeletion) e.dataDeletion = { requestedAt: '2026-02-28T00:00:00.000Z', ...dataDeletion };
  return e;
}

type Row = [Operation, DesiredState, Phase, DesiredState | 'refused', boolean?];

// operation, current desired state, observed phase → new desired state (changed?)
const table: Row[] = [
  ['start', 'stopped', 'Stopped', 'running', true],
  ['start', 'stopped', 'Stopping', 'running', true],
  ['start', 'running', 'Running', 'running', false],
  ['start', 'running', 'Starting', 'running', false],
  ['start', 'stopped', 'Starting', 'running', true], // cancelled, then started again
  ['start', 'running', 'Failed', 'running', true], // a new attempt
  ['start', 'deleted', 'Deleting', 'refused'],
  ['start', 'deleted', 'Deleted', 'refused'],
  ['start', 'deleted', 'Running', 'refused'], // delete pending: already Deleting
  ['stop', 'running', 'Starting', 'stopped', true], // cancel
  ['stop', 'running', 'Running', 'stopped', true],
  ['stop', 'running', 'Pending', 'stopped', true],
  ['stop', 'running', 'Failed', 'stopped', true],
  ['stop', 'stopped', 'Stopped', 'stopped', false],
  ['stop', 'deleted', 'Deleted', 'refused'],
  ['delete', 'running', 'Running', 'deleted', true],
  ['delete', 'stopped', 'Failed', 'deleted', true],
  ['delete', 'deleted', 'Deleting', 'deleted', false],
  ['deleteData', 'running', 'Running', 'refused'],
  ['deleteData', 'stopped', 'Stopped', 'refused'],
  ['deleteData', 'deleted', 'Deleted', 'deleted', true],
  ['purgeData', 'stopped', 'Stopped', 'refused'],
  ['purgeData', 'deleted', 'Deleted', 'deleted', true],
];

describe('transitions', () => {
  it.each(table)('%s when desired %s and %s → %s', (op, desired, phase, expected, changed) => {
    // Prepare
    const e = env(desired, phase);
    // Act
    const act = () => transition(e, op, now, opts);
    // Assess
    if (expected === 'refused') {
      expect(act).toThrow(TransitionNotAllowed);
      return;
    }
    const intent = act();
    expect(intent.desiredState).toBe(expected);
    expect(intent.changed).toBe(changed);
  });

  it('answers 409 with a readable detail', () => {
    const err = (() => {
      try {
        transition(env('deleted', 'Deleting'), 'start', now, opts);
      } catch (e) {
        return e;
      }
    })() as TransitionNotAllowed;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.status).toBe(409);
    expect(err.code).toBe('transition-not-allowed');
    expect(err.message).toBe('cannot start an environment that is Deleting');
  });

  it('schedules the purge after the retention window, once', () => {
    const intent = transition(env('deleted', 'Deleted'), 'deleteData', now, opts);
    expect(intent.dataDeletion).toEqual({
      requestedAt: '2026-03-01T12:00:00.000Z',
      purgeAfter: '2026-03-08T12:00:00.000Z',
    });
    const again = transition(
      env('deleted', 'Deleted', { purgeAfter: '2026-03-05T00:00:00.000Z' }),
      'deleteData',
      now,
      opts,
    );
    expect(again.changed).toBe(false);
    expect(again.dataDeletion?.purgeAfter).toBe('2026-03-05T00:00:00.000Z');
  });

  it('an admin purge is due at once', () => {
    const intent = transition(
      env('deleted', 'Deleted', { purgeAfter: '2026-03-05T00:00:00.000Z' }),
      'purgeData',
      now,
      opts,
    );
    expect(intent.dataDeletion?.purgeAfter).toBe(now.toISOString());
  });

  it('restores data until the purge time, and not after', () => {
    const restorable = env('deleted', 'Deleted', { purgeAfter: '2026-03-05T00:00:00.000Z' });
    expect(transition(restorable, 'restoreData', now, opts)).toEqual({
      desiredState: 'deleted',
      changed: true,
    });
    const purged = env('deleted', 'Deleted', { purgeAfter: '2026-03-01T00:00:00.000Z' });
    expect(() => transition(purged, 'restoreData', now, opts)).toThrow(
      'cannot restore the data of an environment that is Deleted; its data was already purged',
    );
    expect(transition(env('deleted', 'Deleted'), 'restoreData', now, opts).changed).toBe(false);
  });
});
