import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The variable that marks a task process with the home of the control plane
 * that started it. It is in the process's environment from the moment it
 * exists, before any record of it is written, so a crash between the spawn and
 * the record leaves a process a restart can still prove is its own.
 */
export const TASK_OWNER_VARIABLE = 'HUMANGOV_TASK_OWNER';

export function taskOwnerMark(home: string): string {
  return resolve(home);
}

/**
 * Kills every process this home's control plane started as a task (by the mark
 * in its environment), recorded or not: on a start, nothing of an earlier run
 * may keep serving; the services start their tasks again. Linux only (/proc);
 * elsewhere only recorded tasks are found. Returns the pids killed.
 */
export function killTasksOfEarlierRuns(home: string): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  const mark = `${TASK_OWNER_VARIABLE}=${taskOwnerMark(home)}`;
  const killed: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone, or not ours to read (so not ours to kill)
    }
    if (!environ.split('\0').includes(mark)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
