import { describe, expect, it } from '@jest/globals';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

type JSONValue = Parameters<StateMachine['run']>[0];
import type { AslDefinition, AslState } from '../../workflows/definitions.ts';
import { DISTRIBUTED_MAX_CONCURRENCY, LocalRunnerError, withDistributedMapsInline } from './local-map.ts';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:Work';

/** A fleet-shaped machine: a Distributed Map over `$.items`, each child one Task. */
function fleetMachine(map: Partial<AslState> = {}, child: Partial<AslState> = {}): AslDefinition {
  return {
    StartAt: 'Fleet',
    States: {
      Fleet: {
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrencyPath: '$.maxConcurrency',
        ItemSelector: { 'item.$': '$$.Map.Item.Value', 'owner.$': '$$.Execution.Name' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: { Work: { Type: 'Task', Resource: ARN, Parameters: { 'item.$': '$.item', 'owner.$': '$.owner' }, End: true, ...child } },
        },
        End: true,
        ...map,
      },
    },
  };
}

/** Runs `definition` as the local runner would, the first Work calls held until as many run as may at once. */
async function peakConcurrency(definition: AslDefinition, input: { items: number[]; maxConcurrency?: number }) {
  let running = 0;
  let peak = 0;
  let opened = false;
  const waiting: (() => void)[] = [];
  const target = Math.min(input.items.length, input.maxConcurrency ?? Infinity);
  const work = async (value: JSONValue) => {
    running += 1;
    peak = Math.max(peak, running);
    if (running >= target) opened = true;
    if (opened) waiting.splice(0).forEach((resume) => resume());
    else await new Promise<void>((resume) => waiting.push(resume));
    running -= 1;
    return value;
  };
  const machine = new StateMachine(withDistributedMapsInline(definition, 'fleet') as unknown as StateMachineDefinition);
  const execution = machine.run(input, { overrides: { taskResourceLocalHandlers: { Work: work } }, context: { Execution: { Name: 'rollout-1' } } });
  const output = await execution.result;
  return { peak, output };
}

describe('a Distributed Map run by the local runner', () => {
  it('runs the same ItemProcessor inline, its ItemSelector evaluated in the parent, every item once', async () => {
    const { output } = await peakConcurrency(fleetMachine(), { items: [1, 2, 3], maxConcurrency: 3 });

    expect(output).toEqual([
      { item: 1, owner: 'rollout-1' },
      { item: 2, owner: 'rollout-1' },
      { item: 3, owner: 'rollout-1' },
    ]);
  });

  it('honours MaxConcurrencyPath past the 40 an inline Map runs in AWS, and below it', async () => {
    const items = Array.from({ length: 120 }, (_, i) => i);

    expect((await peakConcurrency(fleetMachine(), { items, maxConcurrency: 100 })).peak).toBe(100);
    expect((await peakConcurrency(fleetMachine(), { items, maxConcurrency: 3 })).peak).toBe(3);
  });

  it('runs every item at once when no MaxConcurrency is given, as AWS does up to 10,000', async () => {
    const definition = fleetMachine();
    const fleet = definition.States.Fleet as AslState;
    delete fleet.MaxConcurrencyPath;

    expect(withDistributedMapsInline(definition, 'fleet').States.Fleet?.MaxConcurrency).toBe(DISTRIBUTED_MAX_CONCURRENCY);
    expect((await peakConcurrency(definition, { items: Array.from({ length: 60 }, (_, i) => i) })).peak).toBe(60);
    expect(fleet.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }); // the file's definition is left as it is
  });

  it("refuses an ItemProcessor that reads the context object, which in AWS is the child execution's own", () => {
    const definition = fleetMachine({}, { Parameters: { 'item.$': '$.item', 'execution.$': '$$.Execution.Name' } });

    expect(() => withDistributedMapsInline(definition, 'fleet')).toThrow(LocalRunnerError);
    expect(() => withDistributedMapsInline(definition, 'fleet')).toThrow(/fleet: the Distributed Map "Fleet" reads \$\$\.Execution inside its ItemProcessor/);
  });

  it('refuses what inline cannot do as AWS does: tolerated failures, named errors, S3 readers and writers', () => {
    expect(() => withDistributedMapsInline(fleetMachine({ ToleratedFailureCount: 2 }), 'f')).toThrow(/tolerates failed children/);
    expect(() => withDistributedMapsInline(fleetMachine({ ToleratedFailurePercentage: 5 }), 'f')).toThrow(/uses ToleratedFailurePercentage/);
    expect(() => withDistributedMapsInline(fleetMachine({ Catch: [{ ErrorEquals: ['TenantError'], Next: 'X' }] }), 'f')).toThrow(
      /matches TenantError \(in AWS it fails with States.ExceedToleratedFailureThreshold/,
    );
    expect(() => withDistributedMapsInline(fleetMachine({ ItemReader: { Resource: 'arn:aws:states:::s3:getObject' } }), 'f')).toThrow(/uses ItemReader/);
    expect(() => withDistributedMapsInline(fleetMachine({ ResultWriter: { Resource: 'arn:aws:states:::s3:putObject' } }), 'f')).toThrow(/uses ResultWriter/);
    expect(() => withDistributedMapsInline(fleetMachine({ ToleratedFailureCount: 0, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }] }), 'f')).not.toThrow();
  });
});
