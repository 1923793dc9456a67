/**
 * Runs an assertion and, when it fails, puts a label in front of its message: which state,
 * resource or input of a loop failed. Jest's `expect` takes no message of its own.
 */
export function labelled<T>(label: string, assertion: () => T): T {
  try {
    return assertion();
  } catch (error) {
    if (error instanceof Error) error.message = `${label}\n\n${error.message}`;
    throw error;
  }
}
