/**
 * How the local provider runs tenants' tasks, decided once where a release is made (`npm start`'s
 * first release, `humangov push`): as containers of the image the top-level Dockerfile builds,
 * when a container engine answers, else as processes of the packed app. A task follows the
 * image it is pinned to, so tasks of both kinds can run side by side after a switch.
 *
 * HUMANGOV_TASK_RUNTIME forces it: `process`, `container` (an error when no engine answers), or
 * `auto` (the default).
 */
import { containerEngine, ContainerEngineError, describeEngine, ENGINE_VARIABLE, type ContainerEngine } from './container-engine.ts';

export const RUNTIME_VARIABLE = 'HUMANGOV_TASK_RUNTIME';

export type TaskRuntime = { kind: 'container'; engine: ContainerEngine; why: string } | { kind: 'process'; why: string };

export async function selectTaskRuntime(env: NodeJS.ProcessEnv = process.env): Promise<TaskRuntime> {
  const wanted = (env[RUNTIME_VARIABLE] ?? '').trim().toLowerCase() || 'auto';
  if (wanted === 'process') return { kind: 'process', why: `${RUNTIME_VARIABLE}=process` };
  if (wanted !== 'auto' && wanted !== 'container') {
    throw new ContainerEngineError(
      `${RUNTIME_VARIABLE}="${env[RUNTIME_VARIABLE]}" is not a task runtime: use process, container or auto (the default), or unset it`,
    );
  }
  const { engine, tried } = await containerEngine(env);
  if (engine) return { kind: 'container', engine, why: wanted === 'container' ? `${RUNTIME_VARIABLE}=container` : 'a container engine answers' };
  if (wanted === 'container') {
    throw new ContainerEngineError(
      `${RUNTIME_VARIABLE}=container, but no container engine answers here (${tried.join('; ')}): ` +
        `install podman (Debian: apt-get install podman runc), start the docker daemon, point ${ENGINE_VARIABLE} at one, ` +
        `or unset ${RUNTIME_VARIABLE} to run tasks as processes`,
    );
  }
  return { kind: 'process', why: `no container engine (${tried.join('; ')})` };
}

/** One line for `npm start`'s banner. */
export function describeRuntime(runtime: TaskRuntime): string {
  return runtime.kind === 'container'
    ? `containers of the Dockerfile's image (${describeEngine(runtime.engine)})`
    : `processes of the packed app/ (${runtime.why}; set ${RUNTIME_VARIABLE}=container to require an engine)`;
}
