/**
 * The CLI's operator commands against the real status API (the functions/api.ts
 * handler on the local API server, dynalite tables), run in-process through
 * `run` with streams of the test's own, and, where the process itself matters
 * (a closed pipe), as a child process.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { makeApiHandler } from '../../functions/api.ts';
import { startApiServer, type ApiServer } from '../../src/local/api-server.ts';
import { run } from '../../src/cli/program.ts';
import type { CliIo } from '../../src/cli/context.ts';
import { localPaths } from '../../src/local/settings.ts';
import { logGroupDir } from '../../src/local/logs/file-log-groups.ts';
import { eventually } from '../support/eventually.ts';
import { startApiTables, type ApiTables } from '../api/support.ts';

const BIN = fileURLToPath(new URL('../../bin/humangov.ts', import.meta.url));

let tables: ApiTables;
let server: ApiServer;
let dir: string;
let planeHome: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'humangov-operator-'));
  planeHome = join(dir, 'plane-home');
  tables = await startApiTables();
  const handler = makeApiHandler({ tenants: tables.tenantsTable.repository(), deployments: tables.deployments, stage: 'local', localHome: planeHome });
  server = await startApiServer({ handler, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  await tables?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  const { tableName, db } = tables.tenantsTable;
  const { Items = [] } = await db.send(new ScanCommand({ TableName: tableName }));
  for (const item of Items) await db.send(new DeleteCommand({ TableName: tableName, Key: { tenantId: item.tenantId } }));
});

const put = (item: Record<string, unknown>) => tables.tenantsTable.db.send(new PutCommand({ TableName: tables.tenantsTable.tableName, Item: item }));
const stored = async (tenantId: string) => {
  const { Items = [] } = await tables.tenantsTable.db.send(new ScanCommand({ TableName: tables.tenantsTable.tableName }));
  return Items.find((item) => item.tenantId === tenantId);
};

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  asked: string[];
}

/** `humangov ...args` in-process; `answers` are what the person types at each question (none: no terminal). */
async function humangov(args: string[], options: { env?: NodeJS.ProcessEnv; answers?: string[] } = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const answers = options.answers ? [...options.answers] : undefined;
  const io: CliIo = {
    stdout: { write: (text) => void (stdout += text), isTTY: false, columns: 120 },
    stderr: { write: (text) => void (stderr += text), isTTY: false },
    env: { HUMANGOV_CONFIG: join(dir, 'no-config.json'), ...options.env },
    now: () => new Date('2026-11-26T10:00:00Z'),
    ...(answers
      ? {
          ask: async (question: string) => {
            asked.push(question);
            return answers.shift() ?? '';
          },
        }
      : {}),
  };
  const code = await run(args, io);
  return { code, stdout, stderr, asked };
}

const withApi = (args: string[]) => ['--api', server.url, ...args];

describe('humangov tenant update|retry|restore', () => {
  it('update changes the count, name and canary mark, and says what the tenant is now', async () => {
    await put({ tenantId: 'ca', status: 'ACTIVE' });

    const ran = await humangov(withApi(['tenant', 'update', 'ca', '--count', '3', '--name', 'Golden State', '--canary']));

    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toContain('tenant ca updated: Golden State, 3 tasks, canary.');
    expect(await stored('ca')).toMatchObject({ desiredCount: 3, displayName: 'Golden State', canary: true, status: 'ACTIVE' });
  });

  it('update without a change is a usage error naming the flags, and sends nothing', async () => {
    await put({ tenantId: 'ca' });

    const ran = await humangov(withApi(['tenant', 'update', 'ca']));

    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('nothing to change: give --name, --count, --canary or --no-canary');
    expect(await stored('ca')).toEqual({ tenantId: 'ca' });
  });

  it('retry on an ACTIVE tenant exits 1 with the reason', async () => {
    await put({ tenantId: 'ca', status: 'ACTIVE' });

    const ran = await humangov(withApi(['tenant', 'retry', 'ca']));

    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('tenant "ca" is ACTIVE; a retry is for a tenant that is FAILED or DEGRADED');
  });

  it('retry on a FAILED tenant asks for another attempt', async () => {
    await put({ tenantId: 'ca', status: 'FAILED', statusReason: 'boom' });

    const ran = await humangov(withApi(['tenant', 'retry', 'ca']));

    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toContain('tenant ca is being tried again (it was FAILED)');
    expect((await stored('ca'))?.retryRequestedAt).toEqual(expect.any(String));
  });

  it('restore brings a DELETED tenant with kept data back to desired ACTIVE', async () => {
    await put({ tenantId: 'ca', desiredState: 'DELETED', status: 'DELETED' });

    const ran = await humangov(withApi(['tenant', 'restore', 'ca']));

    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toContain('tenant ca is being restored with its kept data');
    expect((await stored('ca'))?.desiredState).toBe('ACTIVE');
  });
});

describe('humangov tenant remove --purge', () => {
  it('without a terminal and without --yes refuses, naming --yes, and changes nothing', async () => {
    await put({ tenantId: 'ca', status: 'ACTIVE' });

    const ran = await humangov(withApi(['tenant', 'remove', 'ca', '--purge']));

    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('add --yes to go ahead');
    expect(ran.stderr).not.toContain('purgeData');
    expect((await stored('ca'))?.desiredState).toBeUndefined();
  });

  it('on a terminal asks, and a wrong answer changes nothing', async () => {
    await put({ tenantId: 'ca', status: 'ACTIVE' });

    const ran = await humangov(withApi(['tenant', 'remove', 'ca', '--purge']), { answers: ['y'] });

    expect(ran.asked).toEqual(['--purge deletes the table, bucket and logs of tenant ca for good. Type "ca" to go ahead: ']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('tenant ca is not removed');
    expect((await stored('ca'))?.desiredState).toBeUndefined();
  });

  it('goes ahead when the person types the id, or with --yes', async () => {
    await put({ tenantId: 'ca', status: 'ACTIVE' });
    await put({ tenantId: 'ny', status: 'ACTIVE' });

    const typed = await humangov(withApi(['tenant', 'remove', 'ca', '--purge']), { answers: ['ca'] });
    const scripted = await humangov(withApi(['tenant', 'remove', 'ny', '--purge', '--yes']));

    expect([typed.code, scripted.code]).toEqual([0, 0]);
    expect(await stored('ca')).toMatchObject({ desiredState: 'DELETED', purgeData: true });
    expect(await stored('ny')).toMatchObject({ desiredState: 'DELETED', purgeData: true });
  });

  it('without --purge does not ask', async () => {
    await put({ tenantId: 'ca', status: 'ACTIVE' });

    const ran = await humangov(withApi(['tenant', 'remove', 'ca']), { answers: [] });

    expect(ran.asked).toEqual([]);
    expect(await stored('ca')).toMatchObject({ desiredState: 'DELETED' });
  });
});

describe('humangov deployments latest and id prefixes', () => {
  beforeAll(async () => {
    const image = { repository: 'humangov-app', tag: 'v1', digest: `sha256:${'a'.repeat(64)}` };
    const seeds: [string, string][] = [
      ['deploy-20261126-aaa1', '2026-11-26T09:00:00.000Z'],
      ['deploy-20261126-aab2', '2026-11-26T09:30:00.000Z'],
      ['deploy-20261126-bcc3', '2026-11-26T08:00:00.000Z'],
    ];
    for (const [deploymentId, startedAt] of seeds) {
      await tables.deployments.create({
        deploymentId,
        image,
        status: 'IN_PROGRESS',
        eventId: deploymentId,
        eventTime: startedAt,
        executionId: deploymentId,
        maxConcurrency: 10,
        failureThreshold: 1,
        startedAt,
      });
    }
  });

  it('latest shows the deployment that started last', async () => {
    const ran = await humangov(withApi(['--json', 'deployments', 'latest']));

    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ deploymentId: 'deploy-20261126-aab2' });
  });

  it('a unique start of an id shows that deployment; an ambiguous one names the candidates', async () => {
    const unique = await humangov(withApi(['--json', 'deployments', 'deploy-20261126-b']));
    const ambiguous = await humangov(withApi(['deployments', 'deploy-20261126-aa']));
    const none = await humangov(withApi(['deployments', 'zzz']));

    expect(JSON.parse(unique.stdout)).toMatchObject({ deploymentId: 'deploy-20261126-bcc3' });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('"deploy-20261126-aa" starts 2 deployment ids');
    expect(none).toMatchObject({ code: 1, stderr: expect.stringContaining('no deployment id starts with "zzz"') });
  });
});

describe('humangov use, HUMANGOV_API and --version', () => {
  it('use saves the target every later command talks to; HUMANGOV_API and --api win over it', async () => {
    const env = { HUMANGOV_CONFIG: join(dir, 'config', 'humangov.json') };
    await put({ tenantId: 'ca', status: 'ACTIVE' });

    const used = await humangov(['use', server.url], { env });
    const listed = await humangov(['--json', 'tenant', 'list'], { env });
    const shown = await humangov(['use'], { env });
    const overridden = await humangov(['use'], { env: { ...env, HUMANGOV_API: 'http://127.0.0.1:1' } });

    expect(used).toMatchObject({ code: 0, stdout: `commands now talk to ${server.url}\n` });
    expect(JSON.parse(listed.stdout).items.map((t: { tenantId: string }) => t.tenantId)).toEqual(['ca']);
    expect(shown.stdout).toBe(`${server.url} (saved by \`humangov use\`)\n`);
    expect(overridden.stdout).toBe('http://127.0.0.1:1 (from HUMANGOV_API)\n');
  });

  it('use refuses what is not an http(s) URL', async () => {
    const ran = await humangov(['use', 'ftp://example.com'], { env: { HUMANGOV_CONFIG: join(dir, 'bad', 'config.json') } });

    expect(ran).toMatchObject({ code: 2, stderr: expect.stringContaining('"ftp://example.com" is not an http(s) URL') });
  });

  it('--version prints the package version', async () => {
    const ran = await humangov(['--version']);

    expect(ran).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});

describe('humangov tenant logs', () => {
  const streams = () => join(logGroupDir(planeHome, '/humangov/local/tenants/ca'), 'app', 'app');

  beforeEach(async () => {
    await rm(logGroupDir(planeHome, '/humangov/local/tenants/ca'), { recursive: true, force: true });
  });

  it("prints every line of the tenant's task logs, each with its task", async () => {
    await put({ tenantId: 'ca', status: 'ACTIVE' });
    await mkdir(streams(), { recursive: true });
    await writeFile(join(streams(), '11111111aaaa.log'), 'listening on 8080\nGET /health 200\n');
    await writeFile(join(streams(), '22222222bbbb.log'), 'listening on 8080\n');

    const ran = await humangov(withApi(['tenant', 'logs', 'ca']));

    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toBe('11111111 listening on 8080\n11111111 GET /health 200\n22222222 listening on 8080\n');
  });

  it('with --follow prints lines as the tasks write them, until stopped', async () => {
    await put({ tenantId: 'ca', status: 'ACTIVE' });
    await mkdir(streams(), { recursive: true });
    await writeFile(join(streams(), '11111111aaaa.log'), 'first\n');
    const stop = new AbortController();
    let stdout = '';
    const io: CliIo = {
      stdout: { write: (text) => void (stdout += text), isTTY: false, columns: 120 },
      stderr: { write: () => {}, isTTY: false },
      env: { HUMANGOV_CONFIG: join(dir, 'no-config.json') },
      now: () => new Date(),
      signal: stop.signal,
    };
    const running = run(withApi(['tenant', 'logs', 'ca', '--follow']), io);

    await eventually(() => expect(stdout).toContain('first'));
    // A half-written line waits for its end; a new task's stream appears.
    await appendFile(join(streams(), '11111111aaaa.log'), 'second, in two ');
    await appendFile(join(streams(), '11111111aaaa.log'), 'writes\n');
    await writeFile(join(streams(), '33333333cccc.log'), 'new task\n');
    await eventually(() => expect(stdout).toContain('new task'));
    stop.abort();

    expect(await running).toBe(0);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['11111111 first', '11111111 second, in two writes', '33333333 new task']);
  });

  it('says when a tenant has no task logs yet, and how to wait for them; JSON lines with --json', async () => {
    await put({ tenantId: 'ca' });

    const none = await humangov(withApi(['tenant', 'logs', 'ca']));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('tenant ca has no task logs yet');
    expect(none.stderr).toContain('add --follow to wait for them');

    await mkdir(streams(), { recursive: true });
    await writeFile(join(streams(), '11111111aaaa.log'), 'hello\n');
    const json = await humangov(withApi(['--json', 'tenant', 'logs', 'ca']));
    expect(JSON.parse(json.stdout)).toEqual({ stream: 'app/app/11111111aaaa', message: 'hello' });
  });

  it('refuses an unknown tenant and a bad --since before reading anything', async () => {
    expect((await humangov(withApi(['tenant', 'logs', 'texas']))).stderr).toContain('texas');
    const bad = await humangov(withApi(['tenant', 'logs', 'ca', '--since', '2 weeks']));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"2 weeks" is not a duration such as 30s, 10m, 2h or 1d');
  });
});

describe('humangov as a process', () => {
  it('exits 0 without an EPIPE trace when its reader goes away (`tenant list | head -1`)', async () => {
    for (let i = 0; i < 40; i++) await put({ tenantId: `t${String(i).padStart(2, '0')}`, status: 'ACTIVE', displayName: 'x'.repeat(70) });
    const child = spawn(process.execPath, [BIN, '--api', server.url, 'tenant', 'list'], {
      env: { ...process.env, HUMANGOV_CONFIG: join(dir, 'none.json'), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Like `head -1`: read the first chunk, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());

    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);
});

describe('humangov push', () => {
  it('releases into the home of the control plane it targets, not the HUMANGOV_HOME of its shell', async () => {
    const shellHome = join(dir, 'shell-home');

    const ran = await humangov(withApi(['push', '--tag', 'v2.0.0']), { env: { HUMANGOV_HOME: shellHome, PATH: process.env.PATH } });

    expect(ran.stderr).not.toContain('humangov:');
    expect(ran.code).toBe(0);
    expect(await readdir(join(localPaths(planeHome).state, 'events'))).toHaveLength(1);
    await expect(readdir(join(localPaths(shellHome).state, 'events'))).rejects.toThrow(/ENOENT/);
  }, 120_000);

  it('--wait with no control plane answering refuses at once instead of waiting for ever', async () => {
    const ran = await humangov(['--api', 'http://127.0.0.1:1', 'push', '--tag', 'v2.0.1', '--wait'], { env: { HUMANGOV_HOME: join(dir, 'nowhere') } });

    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('no control plane answers at http://127.0.0.1:1, so --wait would wait for ever');
  });
});
