/**
 * Waits for a condition a test cannot be told about by an event of its own (a line in another process's output,
 * a count reached by concurrent requests), checking it every few milliseconds: the wait ends as soon as the
 * condition holds, never after a fixed delay. The bound is generous, for a loaded machine; past it the test fails
 * saying what it waited for. `giveUp` says why the condition can no longer come (the process that was to bring it
 * ended, with its output), so that such a test fails at once with the reason rather than at the bound.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  giveUp: () => string | null = () => null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    const reason = giveUp();
    if (reason !== null) throw new Error(`gave up waiting for ${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}, in vain`);
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}
