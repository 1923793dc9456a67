import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HumanGovError } from '../../kernel/errors.ts';

/** A local server could not start; the message says which setting to change. */
export class LocalServerError extends HumanGovError {
  override name = 'LocalServerError';
}

/**
 * Listens on host:port (0 = any free port) and returns the port taken. A port
 * already in use is the usual failure (a second `npm start`), so the error
 * names the environment variable that moves it.
 */
export function listen(server: Server, port: number, host: string, what: string, envVar: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const hint =
        error.code === 'EADDRINUSE' ? `the port is in use (is another "npm start" running?); stop it or set ${envVar} to another port` : error.message;
      reject(new LocalServerError(`${what} cannot listen on ${host}:${port}: ${hint}`, { cause: error }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Stops accepting and resolves once closed. Idle keep-alive connections (SDK
 * clients hold them open) are dropped at once; requests in flight get `graceMs`
 * to finish before their connections are cut.
 */
export function closeServer(server: Server, graceMs = 2_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close((error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
