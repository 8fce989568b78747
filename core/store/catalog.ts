// The template catalog (TEMPLATE#<id>/TEMPLATE) and the settings item
// (SETTINGS/SETTINGS). The catalog is seeded once from the checked-in file;
// a marker item remembers that, so templates an admin deletes stay deleted.
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { seedCatalog } from '../environment/catalog.js';
import { defaultSettings, Settings, Template } from '../environment/model.js';
import { cancellationReasons, type DocumentClient, isConditionFailed } from './client.js';

// All templates share one partition: a catalog is small (dozens), and one Query lists it.
const CATALOG_PK = 'CATALOG';
const templateKey = (id: string) => ({ PK: CATALOG_PK, SK: `TEMPLATE#${id}` });
const SEEDED = { PK: CATALOG_PK, SK: 'SEEDED' };
const SETTINGS_KEY = { PK: 'SETTINGS', SK: 'SETTINGS' };

export class CatalogStore {
  private seeded = false;
  /** Told after every successful write, so in-process caches (CachedCatalog) drop what they hold. */
  readonly changed = new Set<() => void>();

  private notify() {
    for (const fn of this.changed) fn();
  }

  constructor(
    private readonly doc: DocumentClient,
    private readonly table: string,
    private readonly seed: () => Template[] = seedCatalog,
  ) {}

  /** Writes the seed templates once per installation; concurrent first starts are harmless. */
  async ensureSeeded(): Promise<void> {
    if (this.seeded) return;
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: SEEDED, ConsistentRead: true }),
    );
    if (!Item) {
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.table,
                  Item: { ...SEEDED, type: 'catalog-seeded', at: new Date().toISOString() },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              ...this.seed().map((t) => ({
                Put: {
                  TableName: this.table,
                  Item: { ...templateKey(t.id), type: 'template', ...t },
                },
              })),
            ],
          }),
        );
      } catch (err) {
        if (cancellationReasons(err)?.[0] !== 'ConditionalCheckFailed') throw err;
      }
    }
    this.seeded = true;
  }

  async list(): Promise<Template[]> {
    await this.ensureSeeded();
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :t)',
        ExpressionAttributeValues: { ':pk': CATALOG_PK, ':t': 'TEMPLATE#' },
        ConsistentRead: true,
      }),
    );
    return Items.map((i) => Template.parse(i));
  }

  async get(id: string): Promise<Template | undefined> {
    return (await this.getVersioned(id))?.template;
  }

  /** A template with its version (0: as seeded, never saved since), for If-Match. */
  async getVersioned(id: string): Promise<{ template: Template; version: number } | undefined> {
    await this.ensureSeeded();
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: templateKey(id), ConsistentRead: true }),
    );
    return Item
      ? { template: Template.parse(Item), version: Number(Item.version ?? 0) }
      : undefined;
  }

  /**
   * Writes a template only if its id is new (`expectedVersion` undefined; it
   * becomes version 1), or only if the stored one is still at
   * `expectedVersion` (it becomes the next); false when that condition failed.
   */
  async putIf(template: Template, expectedVersion: number | undefined): Promise<boolean> {
    await this.ensureSeeded();
    const condition =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : expectedVersion === 0
          ? { ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(version)' }
          : {
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': expectedVersion },
            };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...templateKey(template.id),
            type: 'template',
            ...template,
            version: (expectedVersion ?? 0) + 1,
          },
          ...condition,
        }),
      );
      this.notify();
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** False when there was no such template. */
  async delete(id: string): Promise<boolean> {
    await this.ensureSeeded();
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: templateKey(id),
          ConditionExpression: 'attribute_exists(PK)',
        }),
      );
      this.notify();
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** The settings, or the defaults until an admin saves some. */
  async settings(): Promise<Settings> {
    return (await this.versionedSettings()).settings;
  }

  /** The settings with their version (0: the defaults, never saved), for If-Match. */
  async versionedSettings(): Promise<{ settings: Settings; version: number }> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: SETTINGS_KEY, ConsistentRead: true }),
    );
    return Item
      ? { settings: Settings.parse(Item), version: Number(Item.version ?? 0) }
      : { settings: defaultSettings(), version: 0 };
  }

  async saveSettings(settings: Settings, expectedVersion: number | undefined): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...SETTINGS_KEY,
            type: 'settings',
            ...settings,
            version: (expectedVersion ?? 0) + 1,
          },
          ConditionExpression:
            expectedVersion === undefined ? 'attribute_not_exists(PK)' : 'version = :v',
          ...(expectedVersion === undefined
            ? {}
            : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
      );
      this.notify();
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }
}
