/**
 * Waits for a condition a test cannot be told about by an event of its own (a line in another process's output,
 * a count reached by concurrent requests), checking it every few milliseconds: the wait ends as soon as the
 * condition holds, never after a fixed delay. The bound is generous, for a loaded machine; past it the test fails
 * saying what it waited for.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}, in vain`);
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}
