// What must hold after every fault, once the restarted control plane has had its bound to converge.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Plane } from './plane.ts';

interface Tenant {
  tenantId: string;
  desiredState?: string;
  status?: string;
  statusReason?: string;
  image?: { digest?: string };
  lock?: { owner: string; expiresAt: number };
}

export interface Snapshot {
  tenants: Tenant[];
  release: string | undefined;
  serving: Map<string, string | undefined>;
}

function client(plane: Plane): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: `http://127.0.0.1:${plane.ports.dynamodb}`, region: 'us-east-1', credentials: { accessKeyId: 'f', secretAccessKey: 'f' } }),
  );
}

/** What the image served through the load balancer says it is (undefined when nothing answers). */
async function served(plane: Plane, tenantId: string): Promise<string | undefined> {
  // fetch() does not let a caller set Host; the load balancer routes by it.
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port: plane.ports.lb, path: '/health', headers: { host: `${tenantId}.localhost` }, timeout: 2000 }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        try {
          resolve(response.statusCode === 200 ? (JSON.parse(text) as { image?: string }).image : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

export async function snapshot(plane: Plane): Promise<Snapshot> {
  const db = client(plane);
  try {
    const { Items = [] } = await db.send(new ScanCommand({ TableName: 'humangov-local-tenants', ConsistentRead: true }));
    const { Item } = await db.send(new GetCommand({ TableName: 'humangov-local-deployments', Key: { deploymentId: '@release' }, ConsistentRead: true }));
    const tenants = Items as Tenant[];
    const serving = new Map<string, string | undefined>();
    for (const t of tenants) if (t.desiredState !== 'DELETED') serving.set(t.tenantId, await served(plane, t.tenantId));
    return { tenants, release: (Item?.image as { digest?: string } | undefined)?.digest, serving };
  } finally {
    db.destroy();
  }
}

/** The tenant is where it must end: ACTIVE on the release (and serving it), DELETED, or FAILED/DEGRADED with a reason. */
export function settled(t: Tenant, s: Snapshot): boolean {
  if ((t.status === 'FAILED' || t.status === 'DEGRADED') && t.statusReason) return !t.lock;
  if (t.lock) return false;
  if (t.desiredState === 'DELETED') return t.status === 'DELETED';
  return t.status === 'ACTIVE' && t.image?.digest === s.release && (s.serving.get(t.tenantId) ?? '').includes(s.release ?? '-');
}

/** Processes that carry this home's task mark, by task id. */
function taskProcesses(home: string): Map<string, number> {
  const mark = `HUMANGOV_TASK_OWNER=${resolve(home)}`;
  const found = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string[];
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!environ.includes(mark)) continue;
    const id = environ.find((v) => v.startsWith('HUMANGOV_TASK_ID='))?.slice('HUMANGOV_TASK_ID='.length) ?? '?';
    if (!found.has(id)) found.set(id, Number(entry));
  }
  return found;
}

function readState<T>(home: string, file: string, empty: T): T {
  const path = join(home, 'state', file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : empty;
}

/** Every invariant, as violations (empty when all hold). `created` is every tenant id the suite ever wrote. */
export async function violations(plane: Plane, s: Snapshot, created: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  const byId = new Map(s.tenants.map((t) => [t.tenantId, t]));
  for (const id of created) if (!byId.has(id)) out.push(`record lost: tenant ${id}`);
  for (const t of s.tenants) {
    if (!settled(t, s))
      out.push(
        `tenant ${t.tenantId} not converged: desired ${t.desiredState ?? 'ACTIVE'}, status ${t.status}, image ${t.image?.digest?.slice(0, 19)}, serving ${s.serving.get(t.tenantId)?.slice(-71, -50)}, reason "${t.statusReason}"${t.lock ? `, lease of ${t.lock.owner}` : ''}`,
      );
    if (t.lock) out.push(`lease held by a dead owner: tenant ${t.tenantId}, ${t.lock.owner}`);
  }

  // Processes and ports: every task process is a task the compute stand-in records, every target a recorded task.
  const services = readState<{ services: Record<string, { tasks: { id: string; port: number }[]; status: string; tags?: Record<string, string> }> }>(
    plane.home,
    'services.json',
    {
      services: {},
    },
  ).services;
  const recorded = new Map<string, number>();
  for (const service of Object.values(services)) for (const task of service.tasks) recorded.set(task.id, task.port);
  for (const [id, pid] of taskProcesses(plane.home)) if (!recorded.has(id)) out.push(`process without an owner: pid ${pid} (task ${id})`);
  const lb = readState<{
    targetGroups: Record<string, { tags: Record<string, string>; targets: Record<string, { port: number }> }>;
    rules: Record<string, { tenantId: string }>;
  }>(plane.home, 'load-balancer.json', { targetGroups: {}, rules: {} });
  const wanted = (tenantId: string | undefined) => {
    const t = tenantId ? byId.get(tenantId) : undefined;
    return t !== undefined && t.desiredState !== 'DELETED' && t.status !== 'DELETED';
  };
  for (const [name, group] of Object.entries(lb.targetGroups)) {
    const tenantId = group.tags['humangov:tenant'];
    if (!wanted(tenantId) && !(tenantId && byId.get(tenantId)?.status === 'FAILED')) out.push(`target group without an owner: ${name} (tenant ${tenantId})`);
    for (const [id, target] of Object.entries(group.targets)) {
      if (recorded.get(id) !== target.port) out.push(`port without an owner: ${target.port} in ${name} (task ${id} is not running)`);
    }
  }
  for (const [tenantId] of Object.entries(lb.rules)) {
    if (!wanted(tenantId) && byId.get(tenantId)?.status !== 'FAILED') out.push(`listener rule without an owner: ${tenantId}`);
  }

  // Deployments: a tenant reported SUCCEEDED for the release serves the release.
  const { body } = await plane.request('GET', '/deployments?limit=100');
  for (const d of (body as { items: { deploymentId: string; status: string; image: { digest: string }; results?: Record<string, { outcome: string }> }[] })
    .items) {
    if (d.image.digest !== s.release) continue;
    const detail = (await plane.request('GET', `/deployments/${d.deploymentId}`)).body as { results?: Record<string, { outcome: string }> };
    for (const [tenantId, result] of Object.entries(detail.results ?? {})) {
      const t = byId.get(tenantId);
      if (result.outcome !== 'SUCCEEDED' || !t || t.desiredState === 'DELETED' || t.status === 'FAILED' || t.status === 'DEGRADED') continue;
      if (!(s.serving.get(tenantId) ?? '').includes(d.image.digest))
        out.push(`deployment ${d.deploymentId} reports ${tenantId} SUCCEEDED but it serves ${s.serving.get(tenantId) ?? 'nothing'}`);
    }
  }
  return out;
}
