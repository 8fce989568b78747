// Which changes of desired state a user (or an admin) may ask for, from which
// phase. A change only writes intent: the API stores the result with
// generation + 1 when `changed`, and the provisioner converges to it.
// Stop and start are allowed while Starting (cancel, or start again after a
// cancel); nothing comes back from Deleting or Deleted except the data, which
// stays restorable until its purge time.
import { DomainError } from '../errors.js';
import type { DataDeletion, DesiredState, Environment, Phase } from './model.js';

export type Operation = 'start' | 'stop' | 'delete' | 'deleteData' | 'restoreData' | 'purgeData';

export class TransitionNotAllowed extends DomainError {
  constructor(
    readonly operation: Operation,
    readonly phase: Phase,
    hint?: string,
  ) {
    super(
      'transition-not-allowed',
      'Transition not allowed',
      409,
      `cannot ${verbs[operation]} an environment that is ${phase}${hint ? `; ${hint}` : ''}`,
    );
  }
}

const verbs: Record<Operation, string> = {
  start: 'start',
  stop: 'stop',
  delete: 'delete',
  deleteData: 'delete the data of',
  restoreData: 'restore the data of',
  purgeData: 'purge the data of',
};

/** The phase a client should reason about: a pending delete already counts as Deleting. */
export function effectivePhase(env: Pick<Environment, 'desiredState' | 'status'>): Phase {
  if (env.desiredState === 'deleted' && env.status.phase !== 'Deleted') return 'Deleting';
  return env.status.phase;
}

export interface Intent {
  desiredState: DesiredState;
  dataDeletion?: DataDeletion;
  /** False when the request asks for what is already intended: store nothing, answer as accepted. */
  changed: boolean;
}

const live: Phase[] = ['Pending', 'Starting', 'Running', 'Stopping', 'Stopped', 'Failed'];

/** The intent after `operation`, or TransitionNotAllowed. Pure: the caller stores it. */
export function transition(
  env: Pick<Environment, 'desiredState' | 'status' | 'dataDeletion'>,
  operation: Operation,
  now: Date,
  options: { dataRetentionDays: number },
): Intent {
  const phase = effectivePhase(env);
  const same: Intent = {
    desiredState: env.desiredState,
    dataDeletion: env.dataDeletion,
    changed: false,
  };
  switch (operation) {
    case 'start':
      if (!live.includes(phase)) throw new TransitionNotAllowed(operation, phase);
      // Failed at the current generation: starting again is a new attempt (generation + 1).
      if (env.desiredState === 'running' && phase !== 'Failed') return same;
      return { desiredState: 'running', changed: true };
    case 'stop':
      if (!live.includes(phase)) throw new TransitionNotAllowed(operation, phase);
      if (env.desiredState === 'stopped') return same;
      return { desiredState: 'stopped', changed: true };
    case 'delete':
      if (env.desiredState === 'deleted') return same;
      return { desiredState: 'deleted', changed: true };
    case 'deleteData':
    case 'purgeData': {
      if (env.desiredState !== 'deleted')
        throw new TransitionNotAllowed(operation, phase, 'delete the environment first');
      const at = now.toISOString();
      if (operation === 'deleteData') {
        if (env.dataDeletion) return same;
        const purgeAfter = new Date(now.getTime() + options.dataRetentionDays * 86_400_000);
        return {
          desiredState: 'deleted',
          dataDeletion: { requestedAt: at, purgeAfter: purgeAfter.toISOString() },
          changed: true,
        };
      }
      if (env.dataDeletion && Date.parse(env.dataDeletion.purgeAfter) <= now.getTime()) return same;
      return {
        desiredState: 'deleted',
        dataDeletion: { requestedAt: env.dataDeletion?.requestedAt ?? at, purgeAfter: at },
        changed: true,
      };
    }
    case 'restoreData':
      if (!env.dataDeletion) return same;
      if (Date.parse(env.dataDeletion.purgeAfter) <= now.getTime())
        throw new TransitionNotAllowed(operation, phase, 'its data was already purged');
      return { desiredState: env.desiredState, changed: true };
  }
}
