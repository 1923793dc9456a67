/**
 * What a closed standard output (EPIPE: the reader, `head` or `tee`, has exited) does to a run.
 * A command that only prints ends quietly, as Unix tools do; one that must first shut down what it
 * started (`humangov up`: every tenant's tasks) says so, and keeps running to the end of that
 * shutdown, printing nothing more.
 */
let keepRunning = false;

/** From now on a closed output does not end the process. */
export function keepRunningWhenOutputCloses(): void {
  keepRunning = true;
}

/** For stdout's 'error' event: ends the run through `exit` unless a command asked to keep running; other errors are thrown. */
export function onOutputClosed(error: NodeJS.ErrnoException, exit: () => void): void {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  if (!keepRunning) exit();
}
