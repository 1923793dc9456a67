/**
 * Jest's Node environment, with one change: the test's realm uses Node's own `Error`.
 *
 * Jest runs each test file in a realm of its own, but Node's core (sockets, fs, child
 * processes) throws errors of Node's realm, so `error instanceof Error` is false for them
 * inside the test, as it never is in a real process. The AWS SDK checks exactly that before it
 * keeps an error's code (`ECONNREFUSED` would become "AWS SDK error wrapper for Error: ..."),
 * so the providers would be tested on errors they never see. One `Error` for both realms makes
 * errors thrown by Node and errors thrown by our code behave as they do in production.
 */
import { TestEnvironment } from 'jest-environment-node';

export default class NodeRealmErrorEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    this.global.Error = Error;
  }
}
