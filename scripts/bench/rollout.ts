/**
 * npm run bench:rollout — how long the image-deploy workflow takes to roll a
 * push out, in units of D, the time one ECS service deploy takes.
 *
 * Runs the real statemachines/image-deploy.asl.json with the WorkflowRunner and
 * the real step handlers, over the fake cloud with one change: a service
 * deploy completes D ms of wall time after updateService (ROLLOUT_D_MS,
 * default 2000), however often it is polled. A real ECS rolling deploy takes
 * minutes; D only has to dwarf the fixed cost of the simulation, which a D of
 * 1 s does not quite do: X = 2.45-2.68 at 1 s (medians 2.48, 2.56, 2.52) and
 * 2.23-2.28 at 2 s, on 2 cores. A tenant's bookkeeping is five calls (its
 * record: the lease, DEPLOYING, the end with the lease given back; the
 * deployment: its turn, its result), but each local table answers one call at
 * a time, and one process runs the interpreter and every step of the wave's 49
 * tenants (some 1,000 polls at 1 s; the wave's Distributed Map, a child
 * execution per tenant in AWS, runs its ItemProcessor inline here): ~0.25 s pass from the wave's start to its
 * last service update, ~0.1 s from that deploy's end to the tenant's recorded
 * result, ~0.13 s go to the canary's own. Waits are shortened so the 15 s poll
 * becomes D/20. The tenants and deployments tables are real (dynalite).
 * For N = 1, 10 and 50 tenants (one canary, then one wave of N-1 at the
 * default maxConcurrency of 50) the ideal is 2 x D (1 x D for one tenant).
 * Last line: `rollout: 50 tenants in <X> x D`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Cloud, ServiceChange, ServiceSpec, ServiceState, TableDefinition } from '../../src/cloud/ports.ts';
import type { StepHandler } from '../../src/local/workflows/runner.ts';

// The step handlers log every step; a benchmark prints only its results. Set before they load.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const { FakeCloud, FakeCompute, FakeLoadBalancer } = await import('../../test/support/fake-cloud.ts');
const { makeHandler: recordHandler } = await import('../../functions/steps/deployment-record.ts');
const { makeHandler: releaseHandler } = await import('../../functions/steps/tenant-release.ts');
const { deploymentIdFor } = await import('../../src/deployments/event.ts');
const { DeploymentRepository } = await import('../../src/deployments/repository.ts');
const { DEPLOYMENTS_TABLE_DEFINITION } = await import('../../src/deployments/table.ts');
const { TenantRepository } = await import('../../src/tenants/repository.ts');
const { WorkflowRunner } = await import('../../src/local/workflows/runner.ts');
const { seedServingTenant } = await import('../../test/support/serving-tenant.ts');

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const D = Number(process.env.ROLLOUT_D_MS ?? 2000);
if (!Number.isFinite(D) || D < 50) throw new Error(`ROLLOUT_D_MS must be a number of milliseconds >= 50 (got ${process.env.ROLLOUT_D_MS})`);
/** Runs per tenant count; the median is reported (the machine may be shared). */
const RUNS = Math.max(1, Number(process.env.ROLLOUT_RUNS ?? 3));
/** The ASL polls ECS every 15 s: keep 1/20 of D of it. */
const TIME_SCALE = D / 20 / 15_000;
const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;

/** ECS on a wall clock: a deployment completes D ms after it started, never earlier. */
class TimedCompute extends FakeCompute {
  readonly #startedAt = new Map<string, number>();

  override async ensureService(spec: ServiceSpec): Promise<ServiceChange> {
    return this.#started(spec.name, await super.ensureService(spec));
  }

  override async updateService(spec: { name: string; taskDefinitionArn: string }): Promise<ServiceChange> {
    return this.#started(spec.name, await super.updateService(spec));
  }

  override async describeService(name: string): Promise<ServiceState | undefined> {
    const started = this.#startedAt.get(name);
    const service = this.services.get(name);
    // Before D has passed, describe without the tick that would complete the deployment.
    if (started === undefined || performance.now() - started >= D || !service) return super.describeService(name);
    await Promise.resolve();
    const { name: n, arn, status, desiredCount, runningCount } = service;
    return structuredClone({
      name: n,
      arn,
      status,
      desiredCount,
      runningCount,
      deployments: service.deployments.map(({ polls: _p, rollback: _r, ...d }) => d),
    });
  }

  #started(name: string, change: ServiceChange): ServiceChange {
    if (change.changed) this.#startedAt.set(name, performance.now());
    return change;
  }
}

/**
 * One table on a dynalite of its own, in a process of its own: DynamoDB serves
 * tables independently and concurrently, while one dynalite handles one
 * request at a time, and in this process would queue behind the interpreter.
 */
async function startTable(name: string, definition: TableDefinition): Promise<{ db: DynamoDBDocumentClient; stop: () => void }> {
  const script = "import dynalite from 'dynalite'; const s = dynalite({ createTableMs: 0 }); s.listen(0, '127.0.0.1', () => console.log(s.address().port));";
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const [port] = (await once(child.stdout, 'data')) as [Buffer];
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${String(port).trim()}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  await client.send(new CreateTableCommand({ TableName: name, ...definition, BillingMode: 'PAY_PER_REQUEST' }));
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { db, stop: () => (client.destroy(), child.kill()) };
}

async function measure(tenantCount: number): Promise<number> {
  const tenantsTable = await startTable('humangov-bench-tenants', {
    AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
  });
  const deploymentsTable = await startTable('humangov-bench-deployments', DEPLOYMENTS_TABLE_DEFINITION);
  try {
    const tenants = new TenantRepository(tenantsTable.db, 'humangov-bench-tenants');
    const deployments = new DeploymentRepository(deploymentsTable.db, 'humangov-bench-deployments');

    const fake = new FakeCloud({ rolloutPolls: 1 });
    const compute = new TimedCompute(fake.script, fake.platform, { rolloutPolls: 1 });
    const cloud: Cloud = { ...fake, platform: fake.platform, compute, loadBalancer: new FakeLoadBalancer(fake.script, compute, fake.platform) };
    const ids = Array.from({ length: tenantCount }, (_, i) => `t${String(i).padStart(2, '0')}`);
    await seed(cloud, tenants, ids);

    const deps = { cloud, tenants, deployments, releases: deployments, now: () => new Date() };
    const handlers: Record<string, StepHandler> = {
      DeploymentRecordFunctionArn: recordHandler(deps) as unknown as StepHandler,
      TenantReleaseFunctionArn: releaseHandler(deps) as unknown as StepHandler,
    };
    const event = {
      id: `bench-${tenantCount}`,
      time: new Date().toISOString(),
      detail: { 'repository-name': 'humangov-app', 'image-digest': NEW, 'image-tag': 'v2.0.0', 'action-type': 'PUSH', result: 'SUCCESS' },
    };
    // The clock starts once the execution has: the interpreter validating the ASL (some 300 ms here) is not part of a rollout.
    const execution = await new WorkflowRunner().start(
      'image-deploy',
      { event, maxConcurrency: 50, failureThreshold: 1 },
      { handlers, name: event.id, timeScale: TIME_SCALE, minDelayMs: 1 },
    );
    const started = performance.now();
    const cpu = process.cpuUsage();
    await execution.result;
    const wall = performance.now() - started;
    if (process.env.ROLLOUT_CPU) {
      const used = process.cpuUsage(cpu);
      console.log(`  (${tenantCount} tenants: ${((used.user + used.system) / 1000).toFixed(0)} ms CPU)`);
    }

    const deployment = await deployments.require(deploymentIdFor(event));
    if (deployment.status !== 'SUCCEEDED' || deployment.counts.SUCCEEDED !== tenantCount) {
      throw new Error(`the rollout of ${tenantCount} tenants did not succeed: ${deployment.status}, ${JSON.stringify(deployment.counts)}`);
    }
    return wall;
  } finally {
    tenantsTable.stop();
    deploymentsTable.stop();
  }
}

/** ACTIVE tenants serving OLD, as onboarding leaves them. */
async function seed(cloud: Cloud, tenants: InstanceType<typeof TenantRepository>, ids: string[]): Promise<void> {
  const services: string[] = [];
  for (const id of ids) services.push(await seedServingTenant(cloud, tenants, id, OLD));
  // Seeded services finish their first deployment before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, D));
  for (const service of services) await cloud.compute.describeService(service);
}

console.log(
  `D = ${D} ms (ROLLOUT_D_MS); 15 s ECS poll shortened to ${Math.round(15_000 * TIME_SCALE)} ms; median of ${RUNS} runs (ROLLOUT_RUNS); ideal: canary + one wave = 2.00 x D`,
);
for (const n of [1, 10, 50]) {
  const walls: number[] = [];
  for (let run = 0; run < RUNS; run++) walls.push(await measure(n));
  const median = [...walls].sort((a, b) => a - b)[Math.floor(walls.length / 2)]!;
  if (RUNS > 1) console.log(`  ${n} tenants: ${walls.map((w) => (w / D).toFixed(2)).join(', ')} x D`);
  console.log(`rollout: ${n} tenants in ${(median / D).toFixed(2)} x D`);
}
