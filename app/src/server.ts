/**
 * The process entry point (bundled into dist/server.js): reads the configuration, listens,
 * and shuts down gracefully on SIGTERM/SIGINT, as ECS sends SIGTERM before it stops a task.
 */
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import type { AppConfig } from './config.ts';
import { ConfigError } from './errors.ts';

/** ECS waits 30 s by default before SIGKILL; finishing well within that keeps shutdowns clean. */
const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // For the person reading `docker logs`: one line per problem, no stack trace.
    for (const problem of error.problems) console.error(`humangov: configuration error: ${problem}`);
    process.exit(1);
  }

  const app = await buildApp(config);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    setTimeout(() => {
      app.log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'requests still in flight at the shutdown deadline; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => {
        app.log.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  await app.listen({ port: config.port, host: config.listenHost });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address : { address: config.listenHost, port: config.port };
  app.log.info({ host: bound.address, port: bound.port, usState: config.usState }, 'listening');
}

main().catch((error: unknown) => {
  console.error(`humangov: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
