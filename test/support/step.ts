/**
 * A labelled step of a test that tells one story (one server, one state carried
 * from step to step): a failure names the step it happened in, so the story can
 * stay one test, runnable alone and in any order, without losing which part broke.
 *
 *   await step('a write token applies the preset', async () => { ... });
 */
export async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Error) {
      // V8 formats the stack on first read: read it before the message changes, then label both.
      const { message, stack } = error;
      error.message = `[step: ${name}] ${message}`;
      if (stack) error.stack = stack.replace(message, error.message);
    }
    throw error;
  }
}
