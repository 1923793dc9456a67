import { join } from 'node:path';
import type { TaskDefinitionRef, TaskDefinitionSpec } from '../../cloud/ports.ts';
import { arnOf } from '../../cloud/arn.ts';
import { PermanentCloudError } from '../../cloud/errors.ts';
import { JsonStore } from '../json-store.ts';
import { localPaths } from '../settings.ts';

type RevisionStatus = 'ACTIVE' | 'INACTIVE';

interface RevisionRecord {
  revision: number;
  status: RevisionStatus;
  spec: TaskDefinitionSpec;
  registeredAt: string;
}

interface TaskDefinitionsDoc {
  /** Per family; `lastRevision` survives deregistration so a number is never reused, as in ECS. */
  families: Record<string, { lastRevision: number; revisions: RevisionRecord[] }>;
}

export type TaskDefinition = TaskDefinitionSpec & TaskDefinitionRef;

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const PINNED_IMAGE = /^[^@\s]+@sha256:[a-f0-9]{64}$/;

/** JSON with keys sorted at every level, so two equal specs compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/**
 * Task definition revisions per family, in `<home>/state/task-definitions.json`.
 * Deregistered revisions are deleted from what `describe` shows but kept for the
 * services still running them (ECS keeps an INACTIVE revision usable by running
 * tasks too), so a restart can still start those tasks.
 */
export class TaskDefinitions {
  readonly #store: JsonStore<TaskDefinitionsDoc>;
  readonly #path: string;
  readonly #arnPrefix: string;
  #doc: TaskDefinitionsDoc = { families: {} };

  constructor(options: { home: string; region: string; accountId: string }) {
    this.#path = join(localPaths(options.home).state, 'task-definitions.json');
    this.#store = new JsonStore(this.#path, () => ({ families: {} }));
    this.#arnPrefix = arnOf({ service: 'ecs', region: options.region, accountId: options.accountId, resource: 'task-definition/' });
  }

  async load(): Promise<void> {
    try {
      this.#doc = await this.#store.read();
    } catch (error) {
      throw new PermanentCloudError(`cannot read the task definitions in ${this.#path}; repair or delete it (onboarding registers them again)`, {
        cause: error,
      });
    }
  }

  #save(): Promise<void> {
    return this.#store.persist(() => this.#doc);
  }

  #ref(family: string, revision: RevisionRecord): TaskDefinition {
    return { ...structuredClone(revision.spec), arn: `${this.#arnPrefix}${family}:${revision.revision}`, family, revision: revision.revision };
  }

  async register(spec: TaskDefinitionSpec): Promise<TaskDefinitionRef> {
    if (!FAMILY.test(spec.family))
      throw new PermanentCloudError(`task definition family "${spec.family}" must be 1 to 255 letters, digits, hyphens or underscores`);
    if (!PINNED_IMAGE.test(spec.image))
      throw new PermanentCloudError(`task definition image "${spec.image}" must be pinned by digest: <repository>@sha256:<64 hex digits>`);
    const family = (this.#doc.families[spec.family] ??= { lastRevision: 0, revisions: [] });
    const newest = family.revisions.filter((r) => r.status === 'ACTIVE').at(-1);
    if (newest && canonical(newest.spec) === canonical(spec)) {
      const { arn, revision } = this.#ref(spec.family, newest);
      return { arn, family: spec.family, revision };
    }
    family.lastRevision += 1;
    const record: RevisionRecord = { revision: family.lastRevision, status: 'ACTIVE', spec: structuredClone(spec), registeredAt: new Date().toISOString() };
    family.revisions.push(record);
    await this.#save();
    return { arn: `${this.#arnPrefix}${spec.family}:${record.revision}`, family: spec.family, revision: record.revision };
  }

  /**
   * Accepts what ECS accepts: a full ARN, `family:revision`, or `family` (its newest ACTIVE revision).
   * With `includeDeleted`, revisions already deregistered are found too (for running services).
   */
  find(reference: string, includeDeleted = false): TaskDefinition | undefined {
    const name = reference.startsWith(this.#arnPrefix) ? reference.slice(this.#arnPrefix.length) : reference;
    const colon = name.lastIndexOf(':');
    const familyName = colon === -1 ? name : name.slice(0, colon);
    const family = this.#doc.families[familyName];
    if (!family) return undefined;
    const usable = family.revisions.filter((r) => includeDeleted || r.status === 'ACTIVE');
    const revision = colon === -1 ? usable.at(-1) : usable.find((r) => String(r.revision) === name.slice(colon + 1));
    return revision ? this.#ref(familyName, revision) : undefined;
  }

  /** Deregisters every ACTIVE revision; forgets those no service uses any more. Returns how many were deregistered. */
  async deregisterFamily(familyName: string, inUse: (arn: string) => boolean): Promise<number> {
    const family = this.#doc.families[familyName];
    if (!family) return 0;
    let count = 0;
    for (const revision of family.revisions) {
      if (revision.status === 'ACTIVE') count += 1;
      revision.status = 'INACTIVE';
    }
    family.revisions = family.revisions.filter((r) => inUse(`${this.#arnPrefix}${familyName}:${r.revision}`));
    await this.#save();
    return count;
  }
}
