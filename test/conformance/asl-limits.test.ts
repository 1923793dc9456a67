/**
 * The conformance gate for the state machines: what AWS checks or enforces
 * and the local interpreter does not. Each file in statemachines/ must be valid
 * Amazon States Language (asl-validator, the validator AWS tooling uses), and,
 * for a fleet of 100 tenants, stay within Step Functions' limits
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html):
 * at most 25,000 history events per execution, worst case, computed from the
 * definition and the polling bounds; every payload under 256 KiB, measured on
 * a real 100-tenant rollout; and as many tenants deployed at once as
 * deployMaxConcurrency asks (an inline Map would run 40).
 */
import { readFile } from 'node:fs/promises';
import aslValidator from 'asl-validator';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PermanentCloudError } from '../../src/cloud/errors.ts';
import { MAX_CONCURRENCY_LIMIT } from '../../src/deployments/event.ts';
import { planRollout } from '../../src/deployments/policy.ts';
import { RELEASE_BOUNDS } from '../../src/workflows/polling.ts';
import { parseServerlessYaml, SERVERLESS_FILE } from '../../src/local/events/serverless-rules.ts';
import { resolveValue } from '../../src/local/events/serverless-vars.ts';
import type { TenantRecord } from '../../src/tenants/schema.ts';
import { allStates, loadDefinition, PLACEHOLDER, substitute, WORKFLOWS, type AslDefinition, type AslState } from '../../src/workflows/definitions.ts';
import { DeployFleet, digest, pushEvent } from '../support/deploy-fleet.ts';
import { labelled } from '../support/labelled.ts';
import { AWS_LIMITS, effectiveConcurrency, historyBudgets, type FleetModel } from './support/asl-limits.ts';
import { PayloadRecorder } from './support/payloads.ts';

const FLEET_SIZE = 100;
const FLEET = Array.from({ length: FLEET_SIZE }, (_, i) => ({ tenantId: `t${String(i).padStart(3, '0')}`, status: 'ACTIVE' }) as TenantRecord);
/** The rollout plan of the real policy for that fleet: the canary, then one wave of the rest. */
const PLAN = planRollout(FLEET);

/** image-deploy's polling steps count their attempts in the release, and give up at RELEASE_BOUNDS. */
const RELEASE_STEP_BOUNDS: Record<string, number> = {
  start: RELEASE_BOUNDS.lockAttempts,
  watchRollout: RELEASE_BOUNDS.rolloutPolls,
  verify: RELEASE_BOUNDS.verifyChecks,
};

const MODEL: FleetModel = {
  loopBound(loop) {
    const parameters = loop.filter(([, s]) => s.Type === 'Task').map(([, s]) => (s.Parameters ?? {}) as Record<string, unknown>);
    // The tenant workflows' polling Tasks carry their bound in the ASL.
    const inDefinition = parameters.flatMap((p) => [p.maxPolls, p.maxAttempts]).filter((n): n is number => typeof n === 'number');
    if (inDefinition.length > 0) return Math.max(...inDefinition);
    const inCode = parameters.map((p) => RELEASE_STEP_BOUNDS[String(p.action)]).filter((n): n is number => n !== undefined);
    if (inCode.length > 0) return Math.max(...inCode);
    // image-deploy goes round its waves: one round per wave of the plan.
    if (loop.some(([, s]) => s.Type === 'Map')) return PLAN.waves.length;
    throw new Error(`the loop ${loop.map(([name]) => name).join(' -> ')} has no bound: give its polling Task a maxPolls or maxAttempts`);
  },
  items: (_name, state) => (/waves$/.test(String(state.ItemsPath)) ? PLAN.waves.length : Math.max(...PLAN.waves.map((wave) => wave.length))),
};

/** The definition as CloudFormation deploys it: every function placeholder an ARN. */
async function deployed(workflow: (typeof WORKFLOWS)[number]): Promise<AslDefinition> {
  const definition = await loadDefinition(workflow);
  const arns = Object.fromEntries(
    [...allStates(definition)].flatMap(([, s]: [string, AslState]) => {
      const p = s.Resource ? PLACEHOLDER.exec(s.Resource)?.[1] : undefined;
      return p ? [[p, `arn:aws:lambda:us-east-1:123456789012:function:humangov-test-${p.replace(/FunctionArn$/, '')}`]] : [];
    }),
  );
  return substitute(definition, arns);
}

describe('every state machine, as AWS takes it', () => {
  it.each(WORKFLOWS)('%s is valid Amazon States Language', async (workflow) => {
    // The validator marks up what it is given: it gets a copy.
    const result = aslValidator(structuredClone(await deployed(workflow)));

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(WORKFLOWS)('%s records at most 25,000 history events per execution, worst case, for a fleet of 100 tenants', async (workflow) => {
    const budgets = historyBudgets(workflow, await loadDefinition(workflow), MODEL);

    for (const { execution, worstCaseEvents } of budgets) {
      labelled(`${execution}: ${worstCaseEvents} history events at worst (every loop at its bound, every call retried to its MaxAttempts)`, () =>
        expect(worstCaseEvents).toBeLessThanOrEqual(AWS_LIMITS.historyEventsPerExecution),
      );
    }
  });
});

describe('image-deploy at fleet scale', () => {
  it('deploys as many tenants at once as deployMaxConcurrency asks, from the default up to the most a push may ask', async () => {
    const document = parseServerlessYaml(await readFile(SERVERLESS_FILE, 'utf8'));
    const byDefault = Number(resolveValue('${self:custom.deploy.maxConcurrency}', { stage: 'dev', region: 'us-east-1', accountId: '123456789012', document }));
    const definition = await loadDefinition('image-deploy');

    for (const requested of [byDefault, MAX_CONCURRENCY_LIMIT]) {
      const effective = effectiveConcurrency(definition, 'StartTenantRelease', requested);
      labelled(`deployMaxConcurrency ${requested}: ${effective} tenants started at once in AWS`, () => expect(effective).toBe(requested));
    }
    expect(byDefault).toBeGreaterThan(AWS_LIMITS.inlineMapConcurrency);
  });

  describe('a rollout to 100 tenants, with rollbacks, a degraded tenant, an unexpected error and a NOOP', () => {
    let fleet: DeployFleet;
    let recorder: PayloadRecorder;
    const NEW = digest('2');

    beforeAll(async () => {
      fleet = await DeployFleet.start();
      const ids = FLEET.map((t) => t.tenantId);
      await fleet.seed(ids.slice(0, -1), digest('1'));
      await fleet.seed(ids.slice(-1), NEW);
      fleet.failVerification('t010');
      fleet.failVerification('t020');
      fleet.failVerification('t030', 100);
      const describe = fleet.cloud.compute.describeService.bind(fleet.cloud.compute);
      let failed = false;
      fleet.cloud.compute.describeService = async (name) => {
        if (name === 'humangov-t040' && !failed && fleet.updatedServices().includes(name)) {
          failed = true;
          throw new PermanentCloudError(`ECS says: service ${name} not found`);
        }
        return describe(name);
      };
      recorder = new PayloadRecorder(await loadDefinition('image-deploy'));
      const event = pushEvent(NEW, { tag: 'v9.9.9' });
      await fleet.run(fleet.input(event, { maxConcurrency: MAX_CONCURRENCY_LIMIT, failureThreshold: 10 }), 'fleet-of-100', recorder);
    }, 240_000);

    afterAll(async () => {
      await fleet?.close();
    });

    it('reaches every tenant, with each outcome a person would expect', async () => {
      const [deployment] = (await fleet.deployments.list()).items;

      expect(deployment?.counts).toMatchObject({ SUCCEEDED: 95, ROLLED_BACK: 2, FAILED: 2, NOOP: 1, SKIPPED: 0, PENDING: 0 });
    });

    it('keeps every payload under 256 KiB: the execution, each state, each step result, and each Map wave collected', () => {
      const largest = recorder.largest();

      expect(recorder.sizes.get('RollOutWave collected results')).toBeGreaterThan(0);
      for (const [what, bytes] of largest) labelled(`${what}: ${bytes} bytes`, () => expect(bytes).toBeLessThan(AWS_LIMITS.payloadBytes));
    });
  });
});
