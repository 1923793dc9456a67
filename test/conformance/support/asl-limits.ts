/**
 * The limits AWS Step Functions enforces and the local interpreter does not,
 * computed from a state machine's definition:
 *
 * - the most history events one execution can record, every loop at its bound
 *   and every Task retried as often as its Retry allows (a standard execution
 *   holds at most 25,000: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html);
 * - the concurrency a Map really gets: an inline Map runs at most 40 iterations
 *   at once (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html),
 *   a Distributed Map up to 10,000 child executions, each with "its own,
 *   separate execution history" (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html);
 * - payloads (256 KiB per state input or output, same quotas page) are measured
 *   on a real run instead: see payloads.ts.
 *
 * The events a state records are named with AWS's own HistoryEventType values
 * (the Step Functions API model, as GetExecutionHistory returns them:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
 */
import { HistoryEventType as E } from '@aws-sdk/client-sfn';
import type { AslDefinition, AslState } from '../../../src/workflows/definitions.ts';
import { DISTRIBUTED_MAX_CONCURRENCY, isDistributed } from '../../../src/local/workflows/local-map.ts';

export const AWS_LIMITS = {
  historyEventsPerExecution: 25_000,
  payloadBytes: 256 * 1024,
  inlineMapConcurrency: 40,
  distributedMapConcurrency: DISTRIBUTED_MAX_CONCURRENCY,
} as const;

/** The events each visit to a state records in the history of the execution it runs in. */
export const HISTORY_EVENTS = {
  execution: [E.ExecutionStarted, E.ExecutionSucceeded],
  /** Around a Task; then each attempt of its Lambda function is scheduled, started, and succeeds or fails. */
  task: [E.TaskStateEntered, E.TaskStateExited],
  lambdaAttempt: [E.LambdaFunctionScheduled, E.LambdaFunctionStarted, E.LambdaFunctionSucceeded],
  Choice: [E.ChoiceStateEntered, E.ChoiceStateExited],
  Wait: [E.WaitStateEntered, E.WaitStateExited],
  Pass: [E.PassStateEntered, E.PassStateExited],
  Succeed: [E.SucceedStateEntered, E.SucceedStateExited],
  Fail: [E.FailStateEntered],
  /** An inline Map; each iteration adds its start and end and its states' events to the same history. */
  inlineMap: [E.MapStateEntered, E.MapStateStarted, E.MapStateSucceeded, E.MapStateExited],
  inlineIteration: [E.MapIterationStarted, E.MapIterationSucceeded],
  /** A Distributed Map; its children's events are in their own histories. */
  distributedMap: [E.MapStateEntered, E.MapStateStarted, E.MapRunStarted, E.MapRunSucceeded, E.MapStateSucceeded, E.MapStateExited],
  parallel: [E.ParallelStateEntered, E.ParallelStateStarted, E.ParallelStateSucceeded, E.ParallelStateExited],
} as const;

/** How the fleet shapes a run: how often each loop may go round, how many items each Map gets. */
export interface FleetModel {
  /** The most times a loop (the states of one cycle) goes round; throws for a loop with no bound. */
  loopBound(loop: [string, AslState][]): number;
  /** The most items a Map state gets. */
  items(name: string, state: AslState): number;
}

/** The ASL spec's default when a retrier gives no MaxAttempts. */
const DEFAULT_MAX_ATTEMPTS = 3;

/** Each retrier counts its own attempts, so a Task runs at most once plus every retrier's MaxAttempts. */
export function maxAttempts(state: AslState): number {
  return 1 + (state.Retry ?? []).reduce((sum, retrier) => sum + ((retrier as { MaxAttempts?: number }).MaxAttempts ?? DEFAULT_MAX_ATTEMPTS), 0);
}

function successors(state: AslState): string[] {
  const choices = (state.Choices as { Next: string }[] | undefined) ?? [];
  const catches = (state.Catch as { Next: string }[] | undefined) ?? [];
  const next = [state.Next, state.Default, ...choices.map((c) => c.Next), ...catches.map((c) => c.Next)];
  return [...new Set(next.filter((n): n is string => typeof n === 'string'))];
}

/** The cycles of a definition's top level, as strongly connected components (Tarjan). */
export function components(definition: AslDefinition): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (name: string): void => {
    index.set(name, counter);
    low.set(name, counter);
    counter += 1;
    stack.push(name);
    onStack.add(name);
    for (const next of successors(definition.States[name]!)) {
      if (!index.has(next)) {
        visit(next);
        low.set(name, Math.min(low.get(name)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(name, Math.min(low.get(name)!, index.get(next)!));
    }
    if (low.get(name) === index.get(name)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== name);
      found.push(component);
    }
  };
  for (const name of Object.keys(definition.States)) if (!index.has(name)) visit(name);
  return found;
}

function isLoop(component: string[], definition: AslDefinition): boolean {
  return component.length > 1 || successors(definition.States[component[0]!]!).includes(component[0]!);
}

/** The most events one visit to `state` records in the history of the execution it runs in. */
export function eventsPerVisit(name: string, state: AslState, model: FleetModel): number {
  switch (state.Type) {
    case 'Task':
      return HISTORY_EVENTS.task.length + HISTORY_EVENTS.lambdaAttempt.length * maxAttempts(state);
    case 'Map': {
      if (isDistributed(state)) return HISTORY_EVENTS.distributedMap.length;
      const iteration = HISTORY_EVENTS.inlineIteration.length + longestPath(state.ItemProcessor ?? state.Iterator!, model);
      return HISTORY_EVENTS.inlineMap.length + model.items(name, state) * iteration;
    }
    case 'Parallel':
      return HISTORY_EVENTS.parallel.length + (state.Branches ?? []).reduce((sum, branch) => sum + longestPath(branch, model), 0);
    case 'Choice':
    case 'Wait':
    case 'Pass':
    case 'Succeed':
    case 'Fail':
      return HISTORY_EVENTS[state.Type].length;
    default:
      throw new Error(`state ${name}: no history model for a ${state.Type} state`);
  }
}

/**
 * The most events a run through `definition` records: the longest path from
 * StartAt, where a loop counts as all of its states once per round, for its
 * bound plus one rounds (the state that leaves it runs once more).
 */
export function longestPath(definition: AslDefinition, model: FleetModel): number {
  const parts = components(definition);
  const partOf = new Map(parts.flatMap((part, i) => part.map((name) => [name, i] as const)));
  const memo = new Map<number, number>();
  const longest = (i: number): number => {
    const known = memo.get(i);
    if (known !== undefined) return known;
    const part = parts[i]!;
    const states = part.map((name): [string, AslState] => [name, definition.States[name]!]);
    const once = states.reduce((sum, [name, state]) => sum + eventsPerVisit(name, state, model), 0);
    const weight = isLoop(part, definition) ? (model.loopBound(states) + 1) * once : once;
    const after = new Set(part.flatMap((name) => successors(definition.States[name]!).map((next) => partOf.get(next)!)).filter((j) => j !== i));
    const total = weight + Math.max(0, ...[...after].map(longest));
    memo.set(i, total);
    return total;
  };
  return longest(partOf.get(definition.StartAt)!);
}

export interface ExecutionBudget {
  /** The execution: the state machine itself, or the children of one of its Distributed Maps. */
  execution: string;
  worstCaseEvents: number;
}

/** The worst-case history of each kind of execution a run makes: the parent, and each Distributed Map's children. */
export function historyBudgets(name: string, definition: AslDefinition, model: FleetModel): ExecutionBudget[] {
  const children = (within: AslDefinition): ExecutionBudget[] =>
    Object.entries(within.States).flatMap(([stateName, state]) => {
      const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].filter((d): d is AslDefinition => d !== undefined);
      if (isDistributed(state)) return historyBudgets(`${name} child of ${stateName}`, state.ItemProcessor!, model);
      return nested.flatMap(children);
    });
  return [{ execution: name, worstCaseEvents: HISTORY_EVENTS.execution.length + longestPath(definition, model) }, ...children(definition)];
}

/**
 * How many runs of `stateName` can be under way at once when the fleet asks
 * for `requested`: the product, over the Maps it is nested in, of what each
 * runs at once (MaxConcurrencyPath gives `requested`; 0 or nothing is no limit
 * of its own), capped at 40 for an inline Map and 10,000 for a distributed one.
 */
export function effectiveConcurrency(definition: AslDefinition, stateName: string, requested: number): number {
  const search = (within: AslDefinition): number | undefined => {
    if (Object.hasOwn(within.States, stateName)) return 1;
    for (const state of Object.values(within.States)) {
      const processor = state.ItemProcessor ?? state.Iterator;
      const inside = processor && search(processor);
      if (inside === undefined) continue;
      const own = state.MaxConcurrencyPath !== undefined ? requested : Number(state.MaxConcurrency ?? 0) || Infinity;
      const cap = isDistributed(state) ? AWS_LIMITS.distributedMapConcurrency : AWS_LIMITS.inlineMapConcurrency;
      return Math.min(own, cap) * inside;
    }
    return undefined;
  };
  const found = search(definition);
  if (found === undefined) throw new Error(`no state ${stateName} in the definition`);
  return found;
}
