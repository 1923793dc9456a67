/**
 * npm run bench:onboard — how close the control plane brings N tenants (N = 1,
 * 10, 50, onboarded at once) to ACTIVE to the physical floor of the cloud's own
 * waits. It runs the real statemachines/tenant-onboard.asl.json with the real
 * step handlers (the same ASL and step code as AWS and the tests), the tenants
 * table on dynalite, and the cloud as a timed model of AWS: FakeCloud's
 * resources, with each call taking AWS-like time and each resource becoming
 * ready after AWS-like waits. Everything (model waits, the ASL's Wait states
 * and retry intervals) is scaled by SCALE, so ratios are what they would be at
 * full size. (`npm run bench:onboard:local` times the local provider instead,
 * real processes on this machine.)
 *
 * The model, at full size (AWS time), and where it comes from:
 * - API_MS = 100: one control-plane API call's round trip (same-region HTTPS).
 * - TABLE_ACTIVE = 20 s: CreateTable returns CREATING at once and the table is
 *   ACTIVE "after the table is created"; AWS gives no figure, and an on-demand
 *   table with two GSIs commonly takes 10–30 s. ensureTable answers NotReadyError
 *   until then.
 *   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 * - IAM_PROPAGATION = 10 s: IAM is eventually consistent; a new role may not be
 *   usable at once ("changes ... take time to become visible"): ECS cannot
 *   assume it. ensureService answers NotReadyError until 10 s after the role
 *   was created.
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
 * - TASKS_RUNNING = 45 s: Fargate provisions the tasks, pulls the image and the
 *   app starts (ECS service steady state needs the tasks RUNNING and, behind a
 *   load balancer, healthy).
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment-state.html
 * - TARGETS_HEALTHY = HealthyThresholdCount × HealthCheckIntervalSeconds =
 *   2 × 10 s = 20 s (our target groups, src/aws/load-balancer.ts): a target is
 *   healthy after that many consecutive passing checks.
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 *   ECS reports the deployment COMPLETED once its tasks are running and healthy,
 *   so describeService says IN_PROGRESS until TASKS_RUNNING + TARGETS_HEALTHY
 *   after the service was created.
 *
 * The critical path (the floor): the longest chain of waits. The table, bucket,
 * secrets, log group and routing are made at once (ProvisionIndependently); the
 * table is the longest of them. Then the role (one call), IAM propagation from
 * the role's creation (the task definition's one call fits inside it), the
 * service (one call), its tasks and health checks, one describeService that
 * sees COMPLETED, and verification (describeTargetHealth and one /health probe):
 *   floor = TABLE_ACTIVE + IAM_PROPAGATION + TASKS_RUNNING + TARGETS_HEALTHY + 6 × API_MS
 * The records' writes (dynalite) and the workflow itself are the control
 * plane's, not part of the floor. Polling granularity (the ASL's Wait states
 * and retry intervals) is not in the floor either: it is the control plane's
 * choice, and what R measures beside the steps' CPU.
 *
 * CPU: this process's user+system CPU over the run (the workflows, the step
 * code, the tenants table on dynalite and the model, all in this process),
 * divided by the tenants.
 * Last line: onboard: 50 tenants ACTIVE in <R> x critical path, control plane <C> CPU-ms per tenant
 */
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotReadyError } from '../../src/cloud/errors.ts';
import { TenantWorkflowHarness } from '../../test/support/tenant-workflows.ts';

/**
 * Model time to wall time: 1 s of AWS is 500 ms here (BENCH_ONBOARD_SPEEDUP, default 2; about 4
 * minutes in all). Only the model and the ASL's waits are scaled, not the control plane's own CPU
 * and table calls: a larger speed-up inflates their share (at 10, 50 tenants read 1.33-1.5).
 */
const SCALE = 1 / Number(process.env.BENCH_ONBOARD_SPEEDUP ?? 2);
const API_MS = 100;
const TABLE_ACTIVE_MS = 20_000;
const IAM_PROPAGATION_MS = 10_000;
const TASKS_RUNNING_MS = 45_000;
const TARGETS_HEALTHY_MS = 2 * 10_000;
const FLOOR_MS = TABLE_ACTIVE_MS + IAM_PROPAGATION_MS + TASKS_RUNNING_MS + TARGETS_HEALTHY_MS + 6 * API_MS;
const SIZES = [1, 10, 50];

const scaled = (ms: number) => ms * SCALE;
const tenantIdOf = (args: unknown[]) => /tn\d{3}/.exec(JSON.stringify(args))?.[0] ?? '';

type Port = Record<string, unknown>;

/** Every call of the port takes API_MS; `gates` may hold a call back (NotReadyError) or change its answer. */
function timed(port: Port, gates: Record<string, (args: unknown[], call: () => Promise<unknown>) => Promise<unknown>> = {}): Port {
  return new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      const gate = gates[key];
      // Synchronous methods (names, endpoints) are not calls to AWS.
      return (...args: unknown[]) => {
        const call = () => (value as (...a: unknown[]) => unknown).apply(target, args) as Promise<unknown>;
        if (gate) return sleep(scaled(API_MS)).then(() => gate(args, call));
        const result = call();
        return result instanceof Promise ? sleep(scaled(API_MS)).then(() => result) : result;
      };
    },
  });
}

/** The AWS waits above, over FakeCloud's resources. */
function modelAws(h: TenantWorkflowHarness): void {
  const tableCreated = new Map<string, number>();
  const roleCreated = new Map<string, number>();
  const serviceCreated = new Map<string, number>();
  const cloud = h.cloud as unknown as Record<string, Port>;
  cloud.tables = timed(cloud.tables as Port, {
    ensureTable: async (args, call) => {
      const id = tenantIdOf(args);
      const since = tableCreated.get(id) ?? (tableCreated.set(id, performance.now()), performance.now());
      if (performance.now() - since < scaled(TABLE_ACTIVE_MS)) throw new NotReadyError(`table of "${id}" is CREATING; ask again shortly`);
      return call();
    },
  });
  cloud.access = timed(cloud.access as Port, {
    ensureTaskRole: async (args, call) => {
      const result = await call();
      const id = tenantIdOf(args);
      if (!roleCreated.has(id)) roleCreated.set(id, performance.now());
      return result;
    },
  });
  cloud.compute = timed(cloud.compute as Port, {
    ensureService: async (args, call) => {
      const id = tenantIdOf(args);
      const role = roleCreated.get(id) ?? performance.now();
      if (performance.now() - role < scaled(IAM_PROPAGATION_MS)) throw new NotReadyError('ECS was unable to assume the role: IAM has not propagated it yet');
      const result = await call();
      if (!serviceCreated.has(id)) serviceCreated.set(id, performance.now());
      return result;
    },
    describeService: async (args, call) => {
      const state = (await call()) as { deployments: { rolloutState?: string; runningCount: number }[]; runningCount: number } | undefined;
      const created = serviceCreated.get(tenantIdOf(args));
      if (!state || created === undefined || performance.now() - created >= scaled(TASKS_RUNNING_MS + TARGETS_HEALTHY_MS)) return state;
      return {
        ...state,
        runningCount: 0,
        deployments: state.deployments.map((d) => (d.rolloutState === 'COMPLETED' ? { ...d, rolloutState: 'IN_PROGRESS', runningCount: 0 } : d)),
      };
    },
  });
  for (const name of ['buckets', 'logs', 'loadBalancer', 'secrets'] as const) cloud[name] = timed(cloud[name] as Port);
}

interface Run {
  n: number;
  seconds: number;
  /** The last tenant's time to ACTIVE over the critical path. */
  ratio: number;
  /** The median tenant's. */
  medianRatio: number;
  cpuMsPerTenant: number;
  /** This process's CPU time over the wall time: near 1, the one thread running the control plane was the bottleneck. */
  cpuShare: number;
}

async function run(n: number): Promise<Run> {
  // The fake's deployment completes at its first look; the model above decides when that look may see it.
  const h = await TenantWorkflowHarness.start({ rolloutPolls: 1 });
  try {
    modelAws(h);
    const ids = Array.from({ length: n }, (_, i) => `tn${String(i).padStart(3, '0')}`);
    for (const tenantId of ids) await h.tenants.create({ tenantId });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const finished: number[] = [];
    const outcomes = await Promise.all(
      ids.map((tenantId) =>
        h.run('tenant-onboard', { tenantId }, { timeScale: SCALE }).then((outcome) => {
          finished.push(performance.now() - started);
          return outcome;
        }),
      ),
    );
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const failed = outcomes.filter((o) => o.status !== 'SUCCEEDED');
    if (failed.length > 0) throw new Error(`${failed.length} of ${n} onboardings failed: ${failed[0]?.error}: ${failed[0]?.cause}`);
    for (const tenantId of ids) if ((await h.tenants.require(tenantId)).status !== 'ACTIVE') throw new Error(`${tenantId} is not ACTIVE`);
    finished.sort((a, b) => a - b);
    const median = finished[Math.floor((finished.length - 1) / 2)] ?? elapsed;
    return {
      n,
      seconds: elapsed / 1000,
      ratio: elapsed / scaled(FLOOR_MS),
      medianRatio: median / scaled(FLOOR_MS),
      cpuMsPerTenant: (used.user + used.system) / 1000 / n,
      cpuShare: (used.user + used.system) / 1000 / elapsed,
    };
  } finally {
    await h.close();
  }
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
console.log(
  `model (AWS time, run at ${SCALE} scale): table ACTIVE ${TABLE_ACTIVE_MS / 1000} s, IAM propagation ${IAM_PROPAGATION_MS / 1000} s, ` +
    `tasks running ${TASKS_RUNNING_MS / 1000} s, targets healthy ${TARGETS_HEALTHY_MS / 1000} s, API call ${API_MS} ms`,
);
console.log(`critical path: ${FLOOR_MS / 1000} s AWS time, ${(scaled(FLOOR_MS) / 1000).toFixed(3)} s here`);
// A warm-up run: the library validates the definition once per process, and the modules load.
await run(1);
let last: Run | undefined;
for (const n of SIZES) {
  last = await run(n);
  console.log(
    `${String(n).padStart(2)} tenants: ACTIVE in ${last.seconds.toFixed(3)} s (${((last.seconds * 1000) / SCALE / 1000).toFixed(1)} s AWS time), ` +
      `${last.ratio.toFixed(2)} x critical path (median tenant ${last.medianRatio.toFixed(2)}), ` +
      `${last.cpuMsPerTenant.toFixed(1)} CPU-ms per tenant, process CPU ${(last.cpuShare * 100).toFixed(0)} % of wall`,
  );
}
if (last)
  console.log(
    `onboard: ${last.n} tenants ACTIVE in ${last.ratio.toFixed(2)} x critical path, control plane ${last.cpuMsPerTenant.toFixed(0)} CPU-ms per tenant`,
  );
