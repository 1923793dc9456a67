/**
 * The local provider's user pool, behind the StaffPoolPort: the app clients and groups the local
 * identity provider (local-idp.ts) signs staff in with, as the stack's Amazon Cognito user pool
 * has them (src/aws/staff-pool.ts). Each tenant's client has its own id and secret and may send a
 * code only to its one callback URL; a seeded member of staff is in a state's group only while
 * that group exists (CreateGroup / DeleteGroup,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-user-groups.html).
 *
 * Kept in `<home>/state/user-pool.json` (only this user may read it: it holds client secrets), so
 * a restart keeps every tenant's client, as the pool would.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { StaffPoolPort, TenantClientSpec } from '../../cloud/ports.ts';
import { JsonStore } from '../json-store.ts';
import { localPaths } from '../settings.ts';

export interface LocalAppClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientName: string;
  readonly callbackUrls: readonly string[];
}

interface PoolDocument {
  clients: LocalAppClient[];
  groups: string[];
}

export class LocalStaffPool implements StaffPoolPort {
  readonly #stage: string;
  readonly #store: JsonStore<PoolDocument>;
  #doc: PoolDocument = { clients: [], groups: [] };

  constructor(options: { home: string; stage: string }) {
    this.#stage = options.stage;
    this.#store = new JsonStore<PoolDocument>(join(localPaths(options.home).state, 'user-pool.json'), () => ({ clients: [], groups: [] }), { mode: 0o600 });
  }

  /** Reads what an earlier run made; call once before use. */
  async load(): Promise<void> {
    this.#doc = await this.#store.read();
  }

  /** The client the identity provider and the load balancer look up by id (DescribeUserPoolClient). */
  client(clientId: string): LocalAppClient | undefined {
    return this.#doc.clients.find((client) => client.clientId === clientId);
  }

  hasGroup(name: string): boolean {
    return this.#doc.groups.includes(name);
  }

  clientCount(): number {
    return this.#doc.clients.length;
  }

  groupNames(): string[] {
    return [...this.#doc.groups];
  }

  async ensureTenantClient(spec: TenantClientSpec): Promise<{ clientId: string }> {
    const clientName = `humangov-${this.#stage}-${spec.tenantId}`;
    const found = this.#doc.clients.find((client) => client.clientName === clientName);
    const client: LocalAppClient = {
      // Cognito's client ids are 26 lowercase letters and digits.
      clientId: found?.clientId ?? randomBytes(16).toString('hex').slice(0, 26),
      clientSecret: found?.clientSecret ?? randomBytes(32).toString('base64url'),
      clientName,
      callbackUrls: [spec.callbackUrl],
    };
    this.#doc.clients = [...this.#doc.clients.filter((other) => other.clientName !== clientName), client];
    await this.#store.persist(() => this.#doc);
    return { clientId: client.clientId };
  }

  async deleteTenantClient(tenantId: string): Promise<void> {
    this.#doc.clients = this.#doc.clients.filter((client) => client.clientName !== `humangov-${this.#stage}-${tenantId}`);
    await this.#store.persist(() => this.#doc);
  }

  async ensureTenantGroup(tenantId: string): Promise<void> {
    if (this.hasGroup(tenantId)) return;
    this.#doc.groups = [...this.#doc.groups, tenantId];
    await this.#store.persist(() => this.#doc);
  }

  async deleteTenantGroup(tenantId: string): Promise<void> {
    this.#doc.groups = this.#doc.groups.filter((group) => group !== tenantId);
    await this.#store.persist(() => this.#doc);
  }
}
