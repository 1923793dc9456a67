/**
 * Measures, on a real run of a state machine, every payload Step Functions
 * limits to 256 KiB as UTF-8 (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html):
 * the execution's input and output, each state's input and output, each Task's
 * result before ResultSelector/ResultPath, and each Map's collected results
 * (the array of its iterations' outputs, before ResultPath can drop it).
 */
import type { AslDefinition, AslState } from '../../../src/workflows/definitions.ts';
import type { ExecutionEvent, StepHandler, StepHandlers } from '../../../src/local/workflows/runner.ts';

export const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');

/** The states whose output is an iteration's output: those that end the ItemProcessor. */
function terminalStates(definition: AslDefinition): Set<string> {
  return new Set(
    Object.entries(definition.States)
      .filter(([, s]) => s.End === true || s.Type === 'Succeed' || s.Type === 'Fail')
      .map(([name]) => name),
  );
}

function mapStates(definition: AslDefinition): [string, AslState][] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const processor = state.ItemProcessor ?? state.Iterator;
    const here: [string, AslState][] = state.Type === 'Map' ? [[name, state]] : [];
    return [...here, ...(processor ? mapStates(processor) : []), ...(state.Branches ?? []).flatMap(mapStates)];
  });
}

export class PayloadRecorder {
  /** The largest size seen of each payload, by what it is. */
  readonly sizes = new Map<string, number>();
  readonly #maps: { name: string; terminals: Set<string> }[];
  /** Each Map state being run: the collected results so far. */
  readonly #open = new Map<string, { bytes: number; count: number }>();

  constructor(definition: AslDefinition) {
    this.#maps = mapStates(definition).map(([name, state]) => ({ name, terminals: terminalStates((state.ItemProcessor ?? state.Iterator)!) }));
  }

  #record(what: string, bytes: number): void {
    this.sizes.set(what, Math.max(bytes, this.sizes.get(what) ?? 0));
  }

  readonly onEvent = (event: ExecutionEvent): void => {
    if (event.type === 'ExecutionStarted') this.#record('execution input', bytesOf(event.input));
    if (event.type === 'ExecutionSucceeded') this.#record('execution output', bytesOf(event.output));
    if (event.type === 'StateEntered') {
      this.#record(`${event.state.name} input`, bytesOf(event.state.input));
      if (this.#maps.some((m) => m.name === event.state.name)) this.#open.set(event.state.name, { bytes: 0, count: 0 });
    }
    if (event.type !== 'StateExited') return;
    const { name, output } = event.state;
    this.#record(`${name} output`, bytesOf(output));
    const closing = this.#open.get(name);
    if (closing) {
      this.#open.delete(name);
      // JSON of the array: brackets, and a comma between two results.
      this.#record(`${name} collected results`, 2 + closing.bytes + Math.max(0, closing.count - 1));
    }
    for (const map of this.#maps) {
      const open = this.#open.get(map.name);
      if (open && map.terminals.has(name)) {
        open.bytes += bytesOf(output);
        open.count += 1;
      }
    }
  };

  /** The same handlers, each result measured as the Lambda function returns it. */
  wrap(handlers: StepHandlers): StepHandlers {
    return Object.fromEntries(
      Object.entries(handlers).map(([placeholder, handler]): [string, StepHandler] => [
        placeholder,
        async (input) => {
          const result = await handler(input);
          this.#record(`${placeholder} result (${(input as { action?: string }).action})`, bytesOf(result));
          return result;
        },
      ]),
    );
  }

  /** The largest payloads, largest first. */
  largest(count = 5): [string, number][] {
    return [...this.sizes].sort(([, a], [, b]) => b - a).slice(0, count);
  }
}
