import { readFileSync, rmSync } from 'node:fs';

/**
 * Fault injection for `npm run test:faults`: the local control plane kills
 * itself (SIGKILL: no cleanup, as a power cut or an OOM kill would) at a
 * workflow step boundary. HUMANGOV_FAULT_FILE names a file the suite arms
 * while the control plane runs; it holds one spec:
 *
 *   <action>     before the next call of that step action
 *   <action>+    after it returned (its effect made, its answer lost)
 *
 * The file is removed just before the kill, so the restart runs clean. Unset
 * (always, outside the suite), the local provider does not wrap its steps.
 */
export interface FaultPoint {
  before(action: string): void;
  after(action: string): void;
}

export function parseFaultSpec(spec: string): { action: string; after: boolean } {
  const match = /^([A-Za-z]+)(\+)?$/.exec(spec.trim());
  if (!match) throw new Error(`fault spec "${spec}" must be <action> or <action>+, e.g. ensureService+`);
  return { action: match[1]!, after: match[2] === '+' };
}

export function faultPointFrom(file: string | undefined, kill: () => void = () => process.kill(process.pid, 'SIGKILL')): FaultPoint | undefined {
  if (!file) return undefined;
  const armed = (): { action: string; after: boolean } | undefined => {
    try {
      return parseFaultSpec(readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const hit = (name: string, after: boolean) => {
    const spec = armed();
    if (!spec || spec.action !== name || spec.after !== after) return;
    rmSync(file, { force: true });
    process.stderr.write(`fault: killing the control plane ${after ? 'after' : 'before'} ${name}\n`);
    kill();
  };
  return { before: (name) => hit(name, false), after: (name) => hit(name, true) };
}
