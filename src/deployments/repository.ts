/**
 * The deployments table. Besides one item per deployment it holds two pointer
 * items, whose keys start with "@" (no deployment id does; `list` hides them):
 *
 * - `@latest`: the newest push by event time that has a deployment. A new
 *   deployment moves it (conditionally) and asks the one it replaces to stop;
 *   a push older than the pointer is superseded at once (out-of-order delivery).
 * - `@release`: the image of the newest SUCCEEDED deployment by event time.
 *   This is the ReleaseSource tenant onboarding asks for the current release;
 *   a pointer rather than an index, so the read is one consistent GetItem and
 *   the table needs no GSI.
 *
 * Every write is conditional, so a retried step (or a redelivered event) never
 * applies twice. Tenant results are written one map entry at a time
 * (`SET results.#tenant`), so concurrent tenants never overwrite each other.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { controlPlaneTable } from '../aws/errors.ts';
import { imageRefSchema, type ImageRef } from '../tenants/schema.ts';
import { decodeCursor, encodeCursor } from '../kernel/cursor.ts';
import { HumanGovError } from '../kernel/errors.ts';
import { DeploymentNotFoundError } from './errors.ts';
import type { RolloutPlan } from './policy.ts';
import {
  countOutcomes,
  deploymentRecordSchema,
  type Deployment,
  type DeploymentRecord,
  type DeploymentStatus,
  type StopKind,
  type TenantResult,
} from './schema.ts';

/** Where onboarding learns which image to run: the last SUCCEEDED deployment, or the rollout still in progress. */
export interface ReleaseSource {
  currentRelease(): Promise<ImageRef | undefined>;
  /** The image of the newest deployment still IN_PROGRESS, if any. */
  rollingOut(): Promise<ImageRef | undefined>;
}

function startKey(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  const key = decodeCursor(cursor, 'deploymentId');
  if (!key) throw new HumanGovError('cursor is not one this API returned; start again without it');
  return key;
}

const LATEST = '@latest';
const RELEASE = '@release';

export interface DeploymentPage {
  items: Deployment[];
  nextCursor?: string;
}

/** Where a deployment stands against the newest push (see `@latest` above). */
export type ClaimResult = { newest: true; replaced?: string } | { newest: false; newer: string };

export class DeploymentRepository implements ReleaseSource {
  readonly #db: Pick<DynamoDBDocumentClient, 'send'>;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = controlPlaneTable(db, tableName);
    this.#table = tableName;
  }

  async get(deploymentId: string): Promise<Deployment | undefined> {
    if (deploymentId.startsWith('@')) return undefined;
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: { deploymentId }, ConsistentRead: true }));
    return Item ? withCounts(deploymentRecordSchema.parse(Item)) : undefined;
  }

  async require(deploymentId: string): Promise<Deployment> {
    const found = await this.get(deploymentId);
    if (!found) throw new DeploymentNotFoundError(deploymentId);
    return found;
  }

  /** Newest first within a page (ids start with the push time). */
  async list(options: { limit?: number; cursor?: string } = {}): Promise<DeploymentPage> {
    const { Items = [], LastEvaluatedKey } = await this.#db.send(
      new ScanCommand({
        TableName: this.#table,
        Limit: options.limit ?? 50,
        ExclusiveStartKey: startKey(options.cursor),
        FilterExpression: 'NOT begins_with(deploymentId, :pointer)',
        ExpressionAttributeValues: { ':pointer': '@' },
        ConsistentRead: true,
      }),
    );
    const items = Items.map((item) => withCounts(deploymentRecordSchema.parse(item))).sort((a, b) => b.deploymentId.localeCompare(a.deploymentId));
    return { items, nextCursor: encodeCursor(LastEvaluatedKey) };
  }

  /** Inserts the deployment; returns the existing one instead when its id is taken (the same event again). */
  async create(record: DeploymentRecord): Promise<{ created: true; deployment: Deployment } | { created: false; deployment: Deployment }> {
    try {
      await this.#db.send(new PutCommand({ TableName: this.#table, Item: record, ConditionExpression: 'attribute_not_exists(deploymentId)' }));
      return { created: true, deployment: withCounts(record) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { created: false, deployment: await this.require(record.deploymentId) };
      throw error;
    }
  }

  /**
   * Makes `deployment` the newest push unless a newer one already is. Ties in
   * event time break by id, so two racing claims agree on the winner. The
   * pointer remembers whom it replaced, so a retried claim still names the
   * deployment to supersede.
   */
  async claimLatest(deployment: Pick<DeploymentRecord, 'deploymentId' | 'eventTime'>): Promise<ClaimResult> {
    for (;;) {
      const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: { deploymentId: LATEST }, ConsistentRead: true }));
      const current = Item as { target: string; eventTime: string; replaced?: string } | undefined;
      if (current?.target === deployment.deploymentId) return current.replaced ? { newest: true, replaced: current.replaced } : { newest: true };
      if (current && [current.eventTime, current.target].join(' ') > [deployment.eventTime, deployment.deploymentId].join(' ')) {
        return { newest: false, newer: current.target };
      }
      const item = { deploymentId: LATEST, target: deployment.deploymentId, eventTime: deployment.eventTime, ...(current ? { replaced: current.target } : {}) };
      try {
        await this.#db.send(
          new PutCommand({
            TableName: this.#table,
            Item: item,
            ConditionExpression: current ? '#target = :seen' : 'attribute_not_exists(deploymentId)',
            ...(current ? { ExpressionAttributeNames: { '#target': 'target' }, ExpressionAttributeValues: { ':seen': current.target } } : {}),
          }),
        );
        return current ? { newest: true, replaced: current.target } : { newest: true };
      } catch (error) {
        // Another push moved the pointer between our read and write: judge again against it.
        if (error instanceof ConditionalCheckFailedException) continue;
        throw error;
      }
    }
  }

  /** Asks a running deployment to schedule no more tenants; a no-op once it has ended. */
  async requestSupersede(deploymentId: string, by: string): Promise<void> {
    await this.#update(deploymentId, 'SET #supersededBy = :by', { '#supersededBy': 'supersededBy' }, { ':by': by }, '#status = :inProgress');
  }

  /** Writes the plan once; a retried step gets the plan already written. */
  async savePlan(deploymentId: string, plan: RolloutPlan): Promise<Deployment> {
    const results = Object.fromEntries(plan.waves.flat().map((tenantId) => [tenantId, { tenantId, outcome: 'PENDING' }]));
    const names = { '#waves': 'waves', '#results': 'results', ...(plan.canaryTenantId ? { '#canary': 'canaryTenantId' } : {}) };
    const values = { ':waves': plan.waves, ':results': results, ...(plan.canaryTenantId ? { ':canary': plan.canaryTenantId } : {}) };
    const sets = ['#waves = :waves', '#results = :results', ...(plan.canaryTenantId ? ['#canary = :canary'] : [])];
    await this.#update(deploymentId, `SET ${sets.join(', ')}`, names, values, 'attribute_not_exists(#waves)');
    return this.require(deploymentId);
  }

  /** Writes one tenant's result; an ended deployment is not changed any more. */
  async recordResult(deploymentId: string, result: TenantResult): Promise<void> {
    await this.#update(
      deploymentId,
      'SET #results.#tenant = :result',
      { '#results': 'results', '#tenant': result.tenantId },
      { ':result': result },
      '#status = :inProgress',
    );
  }

  /** Notes the first reason the rollout stopped scheduling tenants; later reasons do not replace it. */
  async recordStop(deploymentId: string, stop: { kind: StopKind; reason: string; at: string }): Promise<void> {
    await this.#update(deploymentId, 'SET #stop = if_not_exists(#stop, :stop)', { '#stop': 'stop' }, { ':stop': stop }, '#status = :inProgress');
  }

  /** Ends the deployment (once: a deployment already ended is returned as it is). */
  async finish(
    deploymentId: string,
    end: { status: Exclude<DeploymentStatus, 'IN_PROGRESS'>; reason: string; endedAt: string; results?: Record<string, TenantResult> },
  ): Promise<Deployment> {
    const current = await this.require(deploymentId);
    const results = end.results ?? current.results;
    const names: Record<string, string> = { '#status': 'status', '#reason': 'reason', '#endedAt': 'endedAt', '#counts': 'counts' };
    const values: Record<string, unknown> = { ':status': end.status, ':reason': end.reason, ':endedAt': end.endedAt, ':counts': countOutcomes(results) };
    const sets = ['#status = :status', '#reason = :reason', '#endedAt = :endedAt', '#counts = :counts'];
    if (results) {
      names['#results'] = 'results';
      values[':results'] = results;
      sets.push('#results = :results');
    }
    await this.#update(deploymentId, `SET ${sets.join(', ')}`, names, values, '#status = :inProgress');
    return this.require(deploymentId);
  }

  /** Makes the deployment's image the current release, unless a newer push already is. */
  async publishRelease(deployment: Pick<DeploymentRecord, 'deploymentId' | 'eventTime' | 'image'>): Promise<void> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { deploymentId: RELEASE, image: deployment.image, eventTime: deployment.eventTime, source: deployment.deploymentId },
          ConditionExpression: 'attribute_not_exists(deploymentId) OR #eventTime <= :eventTime',
          ExpressionAttributeNames: { '#eventTime': 'eventTime' },
          ExpressionAttributeValues: { ':eventTime': deployment.eventTime },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }

  /** The image of the newest SUCCEEDED deployment: what a newly onboarded tenant runs. */
  async currentRelease(): Promise<ImageRef | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: { deploymentId: RELEASE }, ConsistentRead: true }));
    return Item ? imageRefSchema.parse(Item.image) : undefined;
  }

  /** The image of the newest deployment still IN_PROGRESS (by push time), if any: every page of the table is read. */
  async rollingOut(): Promise<ImageRef | undefined> {
    let cursor: string | undefined;
    let newest: Deployment | undefined;
    do {
      const page = await this.list({ cursor });
      for (const d of page.items) if (d.status === 'IN_PROGRESS' && (!newest || d.startedAt > newest.startedAt)) newest = d;
      cursor = page.nextCursor;
    } while (cursor);
    return newest?.image;
  }

  /**
   * One conditional UpdateItem. A failed condition means the write was already
   * made or no longer applies (see each caller), so it is not an error, unless
   * the deployment itself is missing.
   */
  async #update(deploymentId: string, expression: string, names: Record<string, string>, values: Record<string, unknown>, condition: string): Promise<void> {
    const needsStatus = condition.includes(':inProgress');
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { deploymentId },
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(deploymentId) AND ${condition}`,
          ExpressionAttributeNames: { ...names, ...(needsStatus ? { '#status': 'status' } : {}) },
          ExpressionAttributeValues: { ...values, ...(needsStatus ? { ':inProgress': 'IN_PROGRESS' } : {}) },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!(await this.get(deploymentId))) throw new DeploymentNotFoundError(deploymentId, { cause: error });
    }
  }
}

function withCounts(record: DeploymentRecord): Deployment {
  return { ...record, counts: countOutcomes(record.results) };
}
