/**
 * Following something to its end: poll, show where it is, stop when it has
 * ended (as wanted or not), when the time is up, or when the person presses
 * Ctrl-C. On a terminal one spinner line is redrawn in place; anywhere else
 * (a pipe, a CI log) each change is one line, so logs stay readable.
 */
import { duration, stripAnsi, visibleWidth } from './format.ts';
import { WaitInterruptedError, WaitTimeoutError } from './errors.ts';

export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
  /** The terminal's width: a spinner line longer than it would wrap and break the redraw. */
  columns?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';

/** One line on a terminal, redrawn in place every `frameMs`: a frame, the text, the time since start. */
export class Spinner {
  readonly #out: ProgressOutput;
  readonly #now: () => number;
  readonly #started: number;
  #text = '';
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(out: ProgressOutput, options: { now?: () => number; frameMs?: number } = {}) {
    this.#out = out;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
    this.#timer = setInterval(() => this.#draw(), options.frameMs ?? 100);
    // The spinner decorates work in progress; it must never be what keeps the process alive.
    this.#timer.unref();
  }

  update(text: string): void {
    this.#text = text;
    this.#draw();
  }

  /** Clears the line and stops redrawing; `line` (if any) is printed in its place. */
  stop(line?: string): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#out.write(CLEAR_LINE + (line === undefined ? '' : `${line}\n`));
  }

  #draw(): void {
    if (!this.#timer) return;
    const frame = FRAMES[this.#frame++ % FRAMES.length] ?? '';
    const elapsed = duration(this.#now() - this.#started);
    const width = Math.max(20, (this.#out.columns || 80) - 1);
    let line = `${frame} ${this.#text} (${elapsed})`;
    if (visibleWidth(line) > width) {
      // Cut without colours: cutting through an escape sequence would leave the terminal bold or red.
      const plain = [...stripAnsi(this.#text)];
      const room = Math.max(0, width - visibleWidth(`${frame}  (${elapsed})`) - 1);
      line = `${frame} ${plain.slice(0, room).join('')}… (${elapsed})`;
    }
    this.#out.write(CLEAR_LINE + line);
  }
}

export type Verdict = 'pending' | 'ended-as-wanted' | 'ended-otherwise';

export interface FollowOptions<T> {
  poll: () => Promise<T>;
  verdict: (value: T) => Verdict;
  /** Where it is now, in a few words: the status and the step. */
  describe: (value: T) => string;
  /** What is followed, for messages: `tenant "ca"`. */
  what: string;
  /** What to run to look again later, for the timeout and Ctrl-C messages. */
  lookAgain: string;
  timeoutMs: number;
  intervalMs: number;
  /** Where progress goes; undefined shows none (--json). */
  out?: ProgressOutput;
  /** Aborting it (Ctrl-C) stops the wait; the workflow goes on regardless. */
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * Polls until `verdict` is no longer pending, and returns the last value with
 * its verdict. Both endings return: only the caller knows what an ending
 * means to the person. Throws WaitTimeoutError after `timeoutMs`.
 */
export async function follow<T>(options: FollowOptions<T>): Promise<{ value: T; verdict: Exclude<Verdict, 'pending'> }> {
  const now = options.now ?? Date.now;
  const started = now();
  const deadline = started + options.timeoutMs;
  const spinner = options.out?.isTTY ? new Spinner(options.out, { now }) : undefined;
  let lastLine: string | undefined;
  try {
    for (;;) {
      const value = await options.poll();
      const line = options.describe(value);
      spinner?.update(line);
      if (options.out && !spinner && line !== lastLine) options.out.write(`[${duration(now() - started).padStart(6)}] ${line}\n`);
      lastLine = line;

      const verdict = options.verdict(value);
      if (verdict !== 'pending') {
        spinner?.stop();
        return { value, verdict };
      }
      const left = deadline - now();
      if (left <= 0) {
        throw new WaitTimeoutError(
          `gave up waiting for ${options.what} after ${options.timeoutMs / 1000}s: it is still ${line}. ` +
            `The control plane carries on; look again with \`${options.lookAgain}\`, or wait longer with --timeout <seconds>`,
        );
      }
      await pause(Math.min(options.intervalMs, left), options.signal);
    }
  } catch (error) {
    spinner?.stop();
    if (options.signal?.aborted) {
      throw new WaitInterruptedError(`stopped waiting for ${options.what}; the control plane carries on: look again with \`${options.lookAgain}\``, {
        cause: error,
      });
    }
    throw error;
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * An AbortSignal that Ctrl-C aborts, for the time of `work` only: outside a
 * wait, Ctrl-C keeps its usual meaning (stop the process at once).
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
