/**
 * The `humangov` CLI run as a process, as a person runs it, against a real
 * local control plane started here on free ports with a home of its own.
 * The tests run in order: each builds on the tenants the previous ones made.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { localSettingsFromEnv, onFreePorts } from '../../src/local/settings.ts';
import { startLocalControlPlane, type LocalControlPlane } from '../../src/local/runtime/control-plane.ts';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClient, eventually } from '../e2e/support.ts';

const BIN = fileURLToPath(new URL('../../bin/humangov.ts', import.meta.url));
const APP = fileURLToPath(new URL('../../app/', import.meta.url));

let plane: LocalControlPlane;
let home: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node bin/humangov.ts --api <the plane> ...args`, output piped (so: no TTY,
 * no colours), from a directory that is not the repository: nothing may depend on the cwd.
 */
function humangov(args: string[], options: { api?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, '--api', options.api ?? plane.urls.api, ...args],
      { cwd: home, env: { ...process.env, HUMANGOV_HOME: home, FORCE_COLOR: '', NO_COLOR: '' }, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'humangov-cli-'));
  const env = onFreePorts(home);
  plane = await startLocalControlPlane(localSettingsFromEnv(env), { log: () => undefined, healthCheck: { intervalMs: 250 } });
  // Onboarding deploys the current release: there must be one first.
  await plane.registry.push({ contextDir: APP, tag: 'v1.0.0' });
  await plane.idle();
}, 120_000);

afterAll(async () => {
  await plane?.stop();
  if (home) await rm(home, { recursive: true, force: true });
}, 60_000);

describe('humangov against a local control plane', () => {
  it('reports the real ports when every server is asked for port 0', () => {
    for (const url of Object.values(plane.urls)) expect(Number(new URL(url).port)).toBeGreaterThan(0);
  });

  it('tenant add ca --wait follows onboarding to ACTIVE and exits 0', async () => {
    const run = await humangov(['tenant', 'add', 'ca', '--wait', '--timeout', '90'], { timeoutMs: 100_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\[ +\d+s\] PROVISIONING: onboarding/m);
    expect(run.stdout).toMatch(/✓ tenant ca is ACTIVE at http:\/\/ca\.localhost:\d+ \(image v1\.0\.0, 2\/2 healthy in us-east-1a, us-east-1b\)/);
  }, 120_000);

  it('tenant list shows ca ACTIVE in a table', async () => {
    const run = await humangov(['tenant', 'list']);
    expect(run.code).toBe(0);
    const [header, row] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^TENANT +NAME +STATUS +HEALTHY +ZONES +IMAGE +ENDPOINT +CHANGED$/);
    expect(row).toMatch(/^ca +California +ACTIVE +2\/2 +us-east-1a,us-east-1b +v1\.0\.0 +http:\/\/ca\.localhost:\d+ +(just now|\d+s ago)$/);
  });

  it('tenant list --json prints the API JSON, one parseable document', async () => {
    const run = await humangov(['--json', 'tenant', 'list']);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as { items: { tenantId: string; status: string }[]; nextCursor: null };
    expect(document.items).toContainEqual(expect.objectContaining({ tenantId: 'ca', status: 'ACTIVE' }));
    expect(document.nextCursor).toBeNull();
  });

  it('tenant show ca gives the details and the history of transitions with reasons', async () => {
    const run = await humangov(['tenant', 'show', 'ca']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^tenant +ca \(California\)$/m);
    expect(run.stdout).toMatch(/^health +2\/2 healthy in us-east-1a, us-east-1b/m);
    expect(run.stdout).toMatch(/^ +tableName +humangov-local-tenant-ca$/m);
    expect(run.stdout).toMatch(/PROVISIONING +ACTIVE +onboarded: 2\/2 targets healthy/);
    // Each transition names the execution that made it, the correlation_id of its log lines.
    expect(run.stdout).toMatch(/- +PROVISIONING +onboarding +ca-onboard-\d+$/m);
  });

  it('tenant add ca again exits 1 with the API saying it already exists', async () => {
    const run = await humangov(['tenant', 'add', 'ca']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^humangov: tenant "ca" already exists/);
  });

  it('tenant add BAD exits 1 naming the rule the id breaks', async () => {
    const run = await humangov(['tenant', 'add', 'BAD']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('tenantId "BAD" must start with a lowercase letter a-z');
  });

  it('under --json, an API error is the API error document on stdout', async () => {
    const run = await humangov(['--json', 'tenant', 'add', 'BAD']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'INVALID_TENANT', message: expect.stringContaining('must start with a lowercase letter') } });
  });

  it('push --tag --wait from its own process reaches the running control plane through the spool and follows the rollout', async () => {
    const run = await humangov(['push', '--tag', 'v1.0.1', '--wait', '--timeout', '90'], { timeoutMs: 100_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/digest +sha256:[0-9a-f]{64}/);
    const id = /rollout deployment (\S+)/.exec(run.stdout)?.[1];
    expect(run.stdout).toContain(`✓ deployment ${id} SUCCEEDED: v1.0.1 on 1 tenant`);

    const detail = await humangov(['--json', 'deployments', String(id)]);
    expect(JSON.parse(detail.stdout)).toMatchObject({ deploymentId: id, status: 'SUCCEEDED', canaryTenantId: 'ca', image: { tag: 'v1.0.1' } });
  }, 120_000);

  it('deployments lists every rollout, newest first', async () => {
    const run = await humangov(['deployments']);
    expect(run.code).toBe(0);
    const rows = run.stdout.trimEnd().split('\n').slice(1);
    expect(rows.map((row) => /SUCCEEDED +(v\S+)/.exec(row)?.[1])).toEqual(['v1.0.1', 'v1.0.0']);
  });

  it('tenant remove ca --wait follows offboarding to DELETED and exits 0', async () => {
    const run = await humangov(['tenant', 'remove', 'ca', '--wait', '--timeout', '90'], { timeoutMs: 100_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/DEPROVISIONING: offboarding/);
    expect(run.stdout).toMatch(/✓ tenant ca is DELETED: offboarded; data kept/);
    const shown = JSON.parse((await humangov(['--json', 'tenant', 'show', 'ca'])).stdout) as { status: string };
    expect(shown.status).toBe('DELETED');
  }, 120_000);

  it('tenant remove ca --purge --wait on the DELETED tenant follows the purge, not the DELETED it already had', async () => {
    const run = await humangov(['tenant', 'remove', 'ca', '--purge', '--yes', '--wait', '--timeout', '90'], { timeoutMs: 100_000 });

    expect(run.code).toBe(0);
    // Past the DELETED of the first removal (data kept), to the purge's own.
    expect(run.stdout).toMatch(
      /DELETED: offboarded; data kept in table [^\n]*\(to delete it: humangov tenant remove ca --purge, [^]*\n✓ tenant ca is DELETED: offboarded; deleted table humangov-local-tenant-ca, bucket /,
    );
    const shown = JSON.parse((await humangov(['--json', 'tenant', 'show', 'ca'])).stdout) as { resources: { tableName: string | null } };
    expect(shown.resources.tableName).toBeNull();
  }, 120_000);

  it('an invalid record (desiredCount 99) is corrected with PATCH /tenants/<id>, and another is removed with tenant remove --wait', async () => {
    const db = dynamoClient(plane.urls.dynamodb);
    for (const tenantId of ['fl', 'ga']) {
      await db.send(new PutItemCommand({ TableName: 'humangov-local-tenants', Item: { tenantId: { S: tenantId }, desiredCount: { N: '99' } } }));
    }
    // Marked by the stream with what is wrong (a listing alone shows any invalid record as FAILED).
    await eventually('both records to be marked FAILED with the rule they break', async () => {
      const marked = (await plane.tenants.all()).filter(
        (t) => ['fl', 'ga'].includes(t.tenantId) && t.status === 'FAILED' && t.statusReason === 'desiredCount: desiredCount must be at most 10',
      );
      return marked.length === 2 ? marked : undefined;
    });

    const corrected = await fetch(`${plane.urls.api}/tenants/fl`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ desiredCount: 1 }),
    });
    const removed = await humangov(['tenant', 'remove', 'ga', '--wait', '--timeout', '90'], { timeoutMs: 100_000 });

    expect(corrected.status).toBe(200);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/✓ tenant ga is DELETED/);
    const fl = await eventually('fl to be ACTIVE', async () => {
      const tenant = await plane.tenants.get('fl');
      return tenant?.status === 'ACTIVE' ? tenant : undefined;
    });
    expect(fl).toMatchObject({ desiredCount: 1, health: { healthy: 1, total: 1 } });
  }, 120_000);
});

describe('humangov errors', () => {
  it('says to start the control plane when nothing answers at --api, and exits 1', async () => {
    const api = `http://127.0.0.1:${await closedPort()}`;
    const run = await humangov(['tenant', 'list'], { api });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no control plane at ${api}`);
    expect(run.stderr).toContain('start it with `npm start` (or pass --api)');
  });

  it('exits 2 on a usage error, before sending anything', async () => {
    const run = await humangov(['tenant', 'add', 'ca', '--count', 'two']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"two" is not a whole number');
  });

  it('refuses push against a deployed stage with exit 2', async () => {
    const run = await humangov(['push', '--tag', 'v9'], { api: 'https://abc123.execute-api.us-east-1.amazonaws.com' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/deployed stage: push the image to its ECR repository/);
  });
});
