/**
 * What every command works with: the API client, where output goes, whether
 * a person or a program reads it (--json), and the colours. Built once per
 * run from the global options; commands never read process.* themselves, so
 * the whole CLI runs against any streams and environment.
 */
import { ApiClient } from './api-client.ts';
import { colors, type Colors } from './format.ts';
import type { ProgressOutput } from './progress.ts';
import { localApiUrl, resolveTarget, type Target } from './target.ts';

export interface CliIo {
  stdout: ProgressOutput;
  stderr: { write(text: string): void; isTTY: boolean };
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Asks the person a question on the terminal and returns the answer; absent when there is no terminal to ask on. */
  ask?: (question: string) => Promise<string>;
  /** Ends what runs until stopped (`tenant logs --follow`); without it, Ctrl-C ends the process. */
  signal?: AbortSignal;
  /** Opens a URL in the person's browser; absent when there is no one to show it to. */
  openUrl?: (url: string) => void;
}

export interface GlobalOptions {
  api?: string;
  json?: boolean;
  /** false with --no-color. */
  color?: boolean;
  region?: string;
}

export function defaultApiUrl(env: NodeJS.ProcessEnv): string {
  return localApiUrl(env);
}

export class CliContext {
  readonly io: CliIo;
  readonly json: boolean;
  readonly c: Colors;
  readonly apiUrl: string;
  /** The control plane this run talks to, and what chose it. */
  readonly target: Target;
  /** What the process exits with once the command returns; errors thrown set their own. */
  exitCode = 0;
  readonly #options: GlobalOptions;
  #api: ApiClient | undefined;

  constructor(options: GlobalOptions, io: CliIo) {
    this.io = io;
    this.#options = options;
    this.json = options.json === true;
    this.target = resolveTarget(options.api, io.env);
    this.apiUrl = this.target.url;
    this.c = colors(!this.json && options.color !== false && colorWanted(io));
  }

  /** Built on first use: `push` without --wait and `up` never need it. */
  get api(): ApiClient {
    this.#api ??= new ApiClient({
      baseUrl: this.apiUrl,
      region: this.#options.region,
      defaultRegion: this.io.env.AWS_REGION || this.io.env.AWS_DEFAULT_REGION,
    });
    return this.#api;
  }

  /** Where live progress goes: nowhere under --json, whose stdout holds one JSON document. */
  get progress(): ProgressOutput | undefined {
    return this.json ? undefined : this.io.stdout;
  }

  /** Polling interval of --wait: local calls cost nothing; a deployed API is billed per call. */
  get pollMs(): number {
    return this.api.isLocal ? 500 : 2_000;
  }

  print(lines: string | readonly string[]): void {
    for (const line of typeof lines === 'string' ? [lines] : lines) this.io.stdout.write(`${line}\n`);
  }

  /** The one JSON document of a --json run. */
  document(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A line for the person, kept off stdout so that it never mixes into output a program parses. */
  note(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }
}

/** Colours on a terminal, unless NO_COLOR says otherwise; FORCE_COLOR turns them on anywhere. */
function colorWanted(io: CliIo): boolean {
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}
