import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { labelled } from '../../../test/support/labelled.ts';
import type { ServiceState, TaskDefinitionSpec } from '../../cloud/ports.ts';
import { NotReadyError, PermanentCloudError } from '../../cloud/errors.ts';
import { LocalLoadBalancer } from '../alb/local-load-balancer.ts';
import { FileLogGroups } from '../logs/file-log-groups.ts';
import { pushFixtureImage } from './fixtures/images.ts';
import type { FixtureVariant } from './fixtures/images.ts';
import { get, startLoad } from './fixtures/load.ts';
import { processGone, waitFor } from './fixtures/wait.ts';
import { LocalFargate } from './local-fargate.ts';
import { writeContainerImage } from './container-image.ts';

const SERVICE = 'humangov-ca';
let home: string;
let lb: LocalLoadBalancer;
let fargate: LocalFargate;
let targetGroupArn: string;
let logs: Record<string, unknown>[] = [];
/** What the stand-in secrets store holds, by ARN. */
const secretValues = new Map<string, string>();
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:humangov/local/tenants/ca/csrf-AbCdEf';
/** Every task pid seen, so each test can prove none outlives it. */
const pids = new Set<number>();

async function startControlPlane(): Promise<void> {
  lb = new LocalLoadBalancer({
    home,
    port: 0,
    healthCheck: { intervalMs: 100, timeoutMs: 500, healthyThreshold: 2, unhealthyThreshold: 2 },
    deregistrationDelayMs: 1000,
    log: () => undefined,
  });
  await lb.start();
  fargate = new LocalFargate({
    home,
    targets: lb,
    reconcileIntervalMs: 50,
    healthCheckGracePeriodMs: 1000,
    restartDelayMs: 100,
    stopTimeoutMs: 2000,
    log: (entry) => logs.push(entry),
    secrets: {
      currentValue: async (valueFrom) => {
        const value = secretValues.get(valueFrom);
        if (value === undefined) throw new Error(`Secrets Manager can't find the specified secret.`);
        return value;
      },
    },
  });
  await fargate.resume();
  ({ arn: targetGroupArn } = await lb.ensureTargetGroup({ name: 'hg-local-ca', tags: {} }));
  await lb.ensureListenerRule({ tenantId: 'ca', host: lb.hostFor('ca'), targetGroupArn, tags: {} });
}

beforeEach(async () => {
  logs = [];
  secretValues.clear();
  home = await mkdtemp(join(tmpdir(), 'humangov-fargate-'));
  await startControlPlane();
});

afterEach(async () => {
  await fargate.stopAll();
  await lb.close();
  await rm(home, { recursive: true, force: true });
  const survivors = [...pids].filter((pid) => !processGone(pid));
  pids.clear();
  labelled('task processes that outlived stopAll', () => expect(survivors).toEqual([]));
});

async function taskDefinition(name: string, variant: FixtureVariant = 'ok', secrets?: Record<string, string>): Promise<string> {
  const { image } = await pushFixtureImage(home, name, variant);
  const spec: TaskDefinitionSpec = {
    family: 'humangov-local-ca',
    image,
    cpu: 256,
    memory: 512,
    environment: { APP_IMAGE: name, TENANT_ID: 'ca' },
    ...(secrets ? { secrets } : {}),
    taskRoleArn: 'arn:aws:iam::000000000000:role/humangov-local-ca-task',
    logGroup: '/humangov/local/tenants/ca',
    tags: { 'humangov:tenant': 'ca' },
  };
  return (await fargate.registerTaskDefinition(spec)).arn;
}

const state = async () => (await fargate.describeService(SERVICE)) as ServiceState;
const deployment = async (id: string) => (await state()).deployments.find((d) => d.id === id);
const livePids = () => fargate.tasksOf(SERVICE).flatMap((t) => (t.pid === undefined ? [] : [t.pid]));
function remember(): number[] {
  const now = livePids();
  for (const pid of now) pids.add(pid);
  return now;
}

/** Waits for a deployment to end; fails fast, with the service's state, if it ends otherwise than expected. */
async function rolloutEnds(id: string, expected: 'COMPLETED' | 'FAILED', timeoutMs = 20_000) {
  const end = await waitFor(
    `deployment ${id} to leave IN_PROGRESS`,
    async () => {
      remember();
      const d = await deployment(id);
      return d && d.rolloutState !== 'IN_PROGRESS' ? d : undefined;
    },
    { timeoutMs, describe: state },
  );
  labelled(JSON.stringify(await state()), () => expect(end.rolloutState).toBe(expected));
  return end;
}

async function ensure(taskDefinitionArn: string, desiredCount = 2) {
  return fargate.ensureService({ name: SERVICE, taskDefinitionArn, desiredCount, targetGroupArn, tags: { 'humangov:tenant': 'ca' } });
}

describe('LocalFargate services', () => {
  it('runs a service of two tasks over two zones until its deployment is COMPLETED, logging into its log group', async () => {
    const v1 = await taskDefinition('v1');
    const change = await ensure(v1);
    expect(change).toMatchObject({ serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/humangov-local/humangov-ca', changed: true });
    expect(change.deploymentId).toMatch(/^ecs-svc\/\d{19}$/);
    await rolloutEnds(change.deploymentId, 'COMPLETED');

    const targets = await lb.describeTargetHealth(targetGroupArn);
    expect(targets.map((t) => t.state)).toEqual(['healthy', 'healthy']);
    expect(new Set(targets.map((t) => t.zone))).toEqual(new Set(['us-east-1a', 'us-east-1b']));
    expect(await state()).toMatchObject({
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 2,
      deployments: [{ status: 'PRIMARY', taskDefinitionArn: v1, runningCount: 2, failedTasks: 0 }],
    });
    expect(await lb.probeHealth('ca')).toEqual({ status: 200, body: { status: 'ok', image: 'v1' } });
    expect(await ensure(v1)).toEqual({ ...change, changed: false });

    // The awslogs stream <prefix>/<container>/<task id> of the definition's log group.
    const [task] = fargate.tasksOf(SERVICE);
    expect(task?.logFile).toBe(join(home, 'logs', '~humangov~local~tenants~ca', 'app', 'app', `${task?.id}.log`));
    expect(await readFile(task?.logFile ?? '', 'utf8')).toContain(`task ${task?.id} starts`);
  });

  it('rolls out a new image without failing a request and stops the old tasks', async () => {
    const first = await ensure(await taskDefinition('v1'));
    await rolloutEnds(first.deploymentId, 'COMPLETED');
    const oldPids = remember();
    const load = startLoad(lb.port, `ca.localhost:${lb.port}`, '/whoami', { concurrency: 2, field: 'image' });

    const v2 = await taskDefinition('v2');
    const update = await fargate.updateService({ name: SERVICE, taskDefinitionArn: v2 });
    expect(update.changed).toBe(true);
    await rolloutEnds(update.deploymentId, 'COMPLETED');
    const result = await load.stop();

    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(10);
    expect(result.seen).toEqual(new Set(['v1', 'v2']));
    for (const pid of oldPids) expect(processGone(pid)).toBe(true);
    const service = await state();
    expect(service.deployments.map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'COMPLETED'],
      ['INACTIVE', 'COMPLETED'],
    ]);
    expect(service.runningCount).toBe(2);
    expect(await lb.probeHealth('ca')).toMatchObject({ body: { image: 'v2' } });
  });

  it('fails a deployment whose tasks fail ALB health checks and rolls back to the last completed one', async () => {
    const v1 = await taskDefinition('v1');
    await rolloutEnds((await ensure(v1)).deploymentId, 'COMPLETED');
    const bad = await fargate.updateService({ name: SERVICE, taskDefinitionArn: await taskDefinition('v2-unhealthy', 'unhealthy') });

    const failed = await rolloutEnds(bad.deploymentId, 'FAILED');
    expect(failed.rolloutStateReason).toMatch(
      /^ECS deployment circuit breaker: tasks failed ALB health checks: \d+ tasks failed; last: Target.ResponseCodeMismatch/,
    );
    const rollback = (await state()).deployments[0];
    expect(rollback).toMatchObject({ status: 'PRIMARY', taskDefinitionArn: v1 });
    await rolloutEnds(rollback?.id ?? '', 'COMPLETED');
    expect((await deployment(bad.deploymentId))?.rolloutState).toBe('FAILED');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'deployment failed', deploymentId: bad.deploymentId }));
    expect(await lb.probeHealth('ca')).toEqual({ status: 200, body: { status: 'ok', image: 'v1' } });
  });

  it("gives each task its definition's secrets as environment variables, read from the store when the task starts, and HOST=127.0.0.1 to listen on loopback only", async () => {
    secretValues.set(SECRET_ARN, 'the-secret-value');
    const v1 = await taskDefinition('v1', 'ok', { FIXTURE_SECRET: SECRET_ARN });

    await rolloutEnds((await ensure(v1)).deploymentId, 'COMPLETED');

    const answer = await get(lb.port, `ca.localhost:${lb.port}`, '/whoami');
    expect(JSON.parse(answer.body)).toMatchObject({ image: 'v1', secret: 'the-secret-value', host: '127.0.0.1' });
    expect(JSON.stringify(await fargate.describeTaskDefinition(v1))).not.toContain('the-secret-value');
  });

  it('fails a deployment whose secret cannot be read, as ECS does (ResourceInitializationError)', async () => {
    const v1 = await taskDefinition('v1', 'ok', { FIXTURE_SECRET: SECRET_ARN });

    const failed = await rolloutEnds((await ensure(v1)).deploymentId, 'FAILED');

    expect(failed.rolloutStateReason).toMatch(
      /tasks failed to start: .*ResourceInitializationError: unable to pull secrets: FIXTURE_SECRET from arn:aws:secretsmanager:/,
    );
  });

  it('fails a deployment whose tasks cannot start, and keeps a failed first deployment FAILED', async () => {
    const v1 = await taskDefinition('v1');
    await rolloutEnds((await ensure(v1)).deploymentId, 'COMPLETED');
    const crash = await taskDefinition('v2-crash', 'crash');
    const bad = await fargate.updateService({ name: SERVICE, taskDefinitionArn: crash });
    const failed = await rolloutEnds(bad.deploymentId, 'FAILED');
    expect(failed.rolloutStateReason).toMatch(
      /tasks failed to start: \d+ tasks failed; last: process exited with code 1 before passing health checks \(log: .*\.log\)/,
    );
    await waitFor('rollback completed', async () => (await state()).deployments[0]?.rolloutState === 'COMPLETED');
    expect((await state()).deployments[0]?.taskDefinitionArn).toBe(v1);

    await fargate.deleteService(SERVICE);
    await waitFor('service INACTIVE', async () => (await state()).status === 'INACTIVE');
    const first = await ensure(crash);
    await rolloutEnds(first.deploymentId, 'FAILED');
    expect((await state()).deployments).toHaveLength(1);
  });

  it('fails a deployment of a container image where no container engine answers, saying what to start', async () => {
    const v1 = await taskDefinition('v1');
    await rolloutEnds((await ensure(v1)).deploymentId, 'COMPLETED');
    const id = `sha256:${'c'.repeat(64)}`;
    await writeContainerImage(home, {
      kind: 'container',
      engine: 'podman',
      id,
      user: 'node',
      stopSignal: 'SIGTERM',
      exposedPorts: ['8080/tcp'],
      sizeBytes: 1,
      dockerfile: '/repo/Dockerfile',
      builtAt: new Date().toISOString(),
    });
    const spec = { ...(await fargate.describeTaskDefinition(v1))!, image: `humangov-local-app@${id}` };
    const { arn: container } = await fargate.registerTaskDefinition(spec);
    const engineBefore = process.env.HUMANGOV_CONTAINER_ENGINE;
    process.env.HUMANGOV_CONTAINER_ENGINE = '/nonexistent/podman';
    try {
      const bad = await fargate.updateService({ name: SERVICE, taskDefinitionArn: container });
      const failed = await rolloutEnds(bad.deploymentId, 'FAILED');
      expect(failed.rolloutStateReason).toMatch(/^ECS deployment circuit breaker: tasks failed to start: \d+ tasks failed; last: /);
      expect(failed.rolloutStateReason).toContain(
        `last: image humangov-local-app@${id} is a container image (built by podman) but no container engine answers here (/nonexistent/podman: not installed); start podman, or push a release with HUMANGOV_TASK_RUNTIME=process to run tasks as processes`,
      );
    } finally {
      if (engineBefore === undefined) delete process.env.HUMANGOV_CONTAINER_ENGINE;
      else process.env.HUMANGOV_CONTAINER_ENGINE = engineBefore;
    }
    await waitFor('rollback completed', async () => (await state()).deployments[0]?.rolloutState === 'COMPLETED');
    expect(await lb.probeHealth('ca')).toEqual({ status: 200, body: { status: 'ok', image: 'v1' } });
  });

  it('replaces a task whose process dies', async () => {
    const change = await ensure(await taskDefinition('v1'));
    await rolloutEnds(change.deploymentId, 'COMPLETED');
    const [victim] = remember();
    process.kill(victim ?? 0, 'SIGKILL');
    await waitFor('a replacement task', () => livePids().length === 2 && !livePids().includes(victim ?? 0) && remember());
    await waitFor('two healthy targets again', async () => (await lb.describeTargetHealth(targetGroupArn)).filter((t) => t.state === 'healthy').length === 2);
    expect(await deployment(change.deploymentId)).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', failedTasks: 1 });
  });

  it('deletes a service by stopping every task and ends INACTIVE', async () => {
    await rolloutEnds((await ensure(await taskDefinition('v1'))).deploymentId, 'COMPLETED');
    const running = remember();
    const definition = await taskDefinition('v1');
    // All asked at once: stopping the tasks takes a few milliseconds, and the refusal must come while it lasts.
    await Promise.all([fargate.deleteService(SERVICE), fargate.deleteService(SERVICE), expect(ensure(definition)).rejects.toBeInstanceOf(NotReadyError)]);
    await waitFor('service INACTIVE', async () => (await state()).status === 'INACTIVE', { describe: state });
    for (const pid of running) expect(processGone(pid)).toBe(true);
    // Deregistered targets are reported draining until the deregistration delay is over, as an ALB does.
    expect((await lb.describeTargetHealth(targetGroupArn)).filter((t) => t.state !== 'draining')).toEqual([]);
    expect(await lb.probeHealth('ca')).toMatchObject({ status: 503 });
  });

  it('leaves no task log on disk once a purge deleted the log group (the offboarding order: service gone, then logs)', async () => {
    await rolloutEnds((await ensure(await taskDefinition('v1'))).deploymentId, 'COMPLETED');
    const logFiles = fargate.tasksOf(SERVICE).map((task) => task.logFile);
    await fargate.deleteService(SERVICE);
    await waitFor('service INACTIVE', async () => (await state()).status === 'INACTIVE', { describe: state });

    await new FileLogGroups({ home }).deleteLogGroup('/humangov/local/tenants/ca');

    expect(logFiles).toHaveLength(2);
    expect(await readdir(join(home, 'logs'), { recursive: true })).toEqual([]);
  });

  it('brings the tasks of every active service back after a restart', async () => {
    const change = await ensure(await taskDefinition('v1'));
    await rolloutEnds(change.deploymentId, 'COMPLETED');
    const before = remember();
    await fargate.stopAll();
    await lb.close();
    for (const pid of before) expect(processGone(pid)).toBe(true);

    await startControlPlane();
    await waitFor(
      'two healthy tasks after the restart',
      async () => {
        remember();
        return (await lb.describeTargetHealth(targetGroupArn)).filter((t) => t.state === 'healthy').length === 2;
      },
      { describe: () => lb.describeTargetHealth(targetGroupArn) },
    );
    expect((await state()).deployments[0]).toMatchObject({ id: change.deploymentId, rolloutState: 'COMPLETED', runningCount: 2 });
    expect(await lb.probeHealth('ca')).toMatchObject({ status: 200, body: { image: 'v1' } });
  });

  it('stops the tasks a crashed control plane left behind and starts its own', async () => {
    await fargate.stopAll();
    await lb.close();
    const { image } = await pushFixtureImage(home, 'v1');
    const crashed = spawn(process.execPath, [new URL('./fixtures/control-plane.ts', import.meta.url).pathname, home, image], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    crashed.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => crashed.once('exit', resolve));
    try {
      await waitFor('the other control plane to report its tasks', () => output.includes('\n'), { timeoutMs: 30_000 });
    } finally {
      crashed.kill('SIGKILL');
      await exited;
    }
    const orphans = (JSON.parse(output) as { pids: number[] }).pids;
    expect(orphans).toHaveLength(2);
    for (const pid of orphans) {
      pids.add(pid);
      labelled('tasks outlive a control plane crash', () => expect(processGone(pid)).toBe(false));
    }

    await startControlPlane();
    await waitFor('the orphans to be gone', () => orphans.every(processGone), { timeoutMs: 2000 });
    await waitFor('two healthy tasks of its own', async () => {
      remember();
      return (await lb.describeTargetHealth(targetGroupArn)).filter((t) => t.state === 'healthy').length === 2;
    });
    expect(livePids().some((pid) => orphans.includes(pid))).toBe(false);
  });
});

describe('LocalFargate task definitions', () => {
  it('registers revisions, reuses an equal one and deregisters a family', async () => {
    const { image } = await pushFixtureImage(home, 'v1');
    const spec: TaskDefinitionSpec = {
      family: 'humangov-local-tx',
      image,
      cpu: 256,
      memory: 512,
      environment: { A: '1', B: '2' },
      taskRoleArn: 'arn:role',
      logGroup: '/g',
      tags: {},
    };
    const first = await fargate.registerTaskDefinition(spec);
    expect(first).toEqual({ arn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/humangov-local-tx:1', family: 'humangov-local-tx', revision: 1 });
    expect(await fargate.registerTaskDefinition({ ...spec, environment: { B: '2', A: '1' } })).toEqual(first);
    const second = await fargate.registerTaskDefinition({ ...spec, memory: 1024 });
    expect(second.revision).toBe(2);
    expect(await fargate.describeTaskDefinition(first.arn)).toMatchObject({ ...spec, ...first });

    expect(await fargate.deregisterTaskDefinitions('humangov-local-tx')).toBe(2);
    expect(await fargate.deregisterTaskDefinitions('humangov-local-tx')).toBe(0);
    expect(await fargate.describeTaskDefinition(first.arn)).toBeUndefined();
    expect((await fargate.registerTaskDefinition(spec)).revision).toBe(3);
    await expect(fargate.registerTaskDefinition({ ...spec, image: 'humangov-local-app:v1' })).rejects.toBeInstanceOf(PermanentCloudError);
    await expect(fargate.updateService({ name: 'nope', taskDefinitionArn: first.arn })).rejects.toBeInstanceOf(PermanentCloudError);
    await expect(ensure(first.arn)).rejects.toBeInstanceOf(PermanentCloudError);
  });
});
