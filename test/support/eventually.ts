/**
 * Retries an assertion until it passes or the time is up, then fails with the assertion's own
 * message: the way to wait for something asynchronous without a fixed sleep.
 */
export interface EventuallyOptions {
  /** How long to keep trying, in ms. */
  timeout?: number;
  /** Pause between tries, in ms. */
  interval?: number;
}

export async function eventually<T>(assertion: () => T | Promise<T>, { timeout = 5_000, interval = 50 }: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}
