// Workspace volumes the reconciler found with no environment: never deleted
// automatically (they may hold someone's data), listed for admins in one
// item, ORPHANS/VOLUMES, rewritten only when the list changes.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './client.js';

export interface OrphanVolume {
  namespace: string;
  name: string;
  envId: string;
  ownerId?: string;
  createdAt?: string;
}

/** At most this many are stored (the item stays far below DynamoDB's 400 KB); `count` has them all. */
export const MAX_LISTED_ORPHAN_VOLUMES = 1000;

const KEY = { PK: 'ORPHANS', SK: 'VOLUMES' };

export class OrphanVolumeStore {
  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
  ) {}

  async list(): Promise<{ volumes: OrphanVolume[]; count: number; since?: string }> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: KEY }));
    return {
      volumes: (Item?.volumes as OrphanVolume[] | undefined) ?? [],
      count: Number(Item?.count ?? 0),
      since: Item?.updatedAt as string | undefined,
    };
  }

  /** Stores the list when it differs from the stored one; answers whether it wrote. */
  async replace(volumes: OrphanVolume[], now: Date): Promise<boolean> {
    const sorted = [...volumes].sort((a, b) =>
      `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
    );
    const listed = sorted.slice(0, MAX_LISTED_ORPHAN_VOLUMES);
    const current = await this.list();
    const same =
      current.count === sorted.length &&
      JSON.stringify(current.volumes.map(keyOf)) === JSON.stringify(listed.map(keyOf));
    if (same) return false;
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...KEY,
          type: 'orphan-volumes',
          volumes: listed,
          count: sorted.length,
          updatedAt: now.toISOString(),
        },
      }),
    );
    return true;
  }
}

const keyOf = (v: OrphanVolume) => `${v.namespace}/${v.name}`;
