/**
 * aws-local-stepfunctions has no distributed mode for the Map state (nor
 * ItemReader, ItemBatcher, ResultWriter, ToleratedFailureCount/Percentage):
 * https://github.com/nibble-4bits/aws-local-stepfunctions/blob/main/docs/feature-support.md
 * So the local runner runs a Distributed Map's ItemProcessor inline: the same
 * states, the same ItemsPath, ItemSelector and MaxConcurrency(Path). This is
 * done on a copy in memory; the file deployed is what AWS runs.
 *
 * Inline is only the same as distributed for a Map that does not depend on
 * what differs. In AWS (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html)
 * each item runs as a child execution with its own context object, so inside
 * the ItemProcessor `$$.Execution`, `$$.StateMachine` and `$$.Map` are not the
 * parent's; a Map Run that fails more children than tolerated fails with
 * `States.ExceedToleratedFailureThreshold`, not with the child's error; and
 * MaxConcurrency 0 (or none) means up to 10,000 children. A definition that
 * would behave differently inline is refused, with the reason, rather than run
 * with a different meaning.
 */
import { HumanGovError } from '../../kernel/errors.ts';
import type { AslDefinition, AslState } from '../../workflows/definitions.ts';

/** A state machine the local runner cannot run as AWS would; the message says what in it. */
export class LocalRunnerError extends HumanGovError {
  override name = 'LocalRunnerError';
}

/** AWS's ceiling for a Distributed Map's concurrent child executions (and what 0 or no MaxConcurrency means). */
export const DISTRIBUTED_MAX_CONCURRENCY = 10_000;

const UNSUPPORTED = ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', 'ToleratedFailureCountPath'];
/** Context-object paths whose value inside a child execution is the child's own. */
const CHILD_CONTEXT = /\$\$\.(Execution|StateMachine|Map)\b/;

export function isDistributed(state: AslState): boolean {
  return (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

function inlineMap(name: string, state: AslState, where: string): AslState {
  const problem = (what: string) => new LocalRunnerError(`${where}: the Distributed Map "${name}" ${what}, which the local runner cannot run as AWS does`);
  for (const field of UNSUPPORTED) if (state[field] !== undefined) throw problem(`uses ${field}`);
  if (typeof state.ToleratedFailureCount === 'number' && state.ToleratedFailureCount > 0) throw problem('tolerates failed children');
  const handlers = [...((state.Retry as { ErrorEquals: string[] }[] | undefined) ?? []), ...((state.Catch as { ErrorEquals: string[] }[] | undefined) ?? [])];
  const named = handlers.flatMap((h) => h.ErrorEquals).filter((error) => error !== 'States.ALL');
  if (named.length > 0)
    throw problem(`matches ${named.join(', ')} (in AWS it fails with States.ExceedToleratedFailureThreshold, inline with the child's error)`);
  const processor = state.ItemProcessor as AslDefinition;
  const reads = CHILD_CONTEXT.exec(JSON.stringify(processor.States));
  if (reads) throw problem(`reads ${reads[0]} inside its ItemProcessor (a child execution's own, not the parent's)`);

  const { ToleratedFailureCount: _tolerated, Label: _label, ...rest } = state;
  const limited = state.MaxConcurrency !== undefined || state.MaxConcurrencyPath !== undefined;
  return {
    ...rest,
    ...(limited && state.MaxConcurrency !== 0 ? {} : { MaxConcurrency: DISTRIBUTED_MAX_CONCURRENCY }),
    ItemProcessor: { ...processor, ProcessorConfig: { Mode: 'INLINE' }, States: inlineAll(processor, where).States },
  };
}

function inlineAll(definition: AslDefinition, where: string): AslDefinition {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]): [string, AslState] => {
      if (isDistributed(state)) return [name, inlineMap(name, state, where)];
      if (state.ItemProcessor) return [name, { ...state, ItemProcessor: inlineAll(state.ItemProcessor, where) }];
      if (state.Branches) return [name, { ...state, Branches: state.Branches.map((branch) => inlineAll(branch, where)) }];
      return [name, state];
    }),
  );
  return { ...definition, States: states };
}

/** The definition the local runner runs: every Distributed Map made inline, refused where inline would differ. */
export function withDistributedMapsInline(definition: AslDefinition, workflow: string): AslDefinition {
  return inlineAll(definition, workflow);
}
