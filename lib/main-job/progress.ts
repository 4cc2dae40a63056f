/**
 * Step-by-step progress for long jobs: a numbered heading per step, indented
 * detail lines, and the time each step took, so a person can follow along.
 */
export class Progress {
  private step = 0;

  constructor(
    private readonly total: number,
    private readonly write: (text: string) => void = text => process.stdout.write(text),
  ) {}

  async run<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.step++;
    this.write(`\n[${this.step}/${this.total}] ${title}\n`);
    const started = Date.now();
    const result = await work();
    this.detail(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  }

  detail(line: string): void {
    this.write(`      ${line}\n`);
  }
}
