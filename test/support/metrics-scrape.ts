/**
 * Scrapes a real server's `GET /metrics` and reads the exposition text
 * (Prometheus text format 0.0.4) into samples, for exact assertions on them.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrape(serverUrl: string, token: string): Promise<Sample[]> {
  const res = await fetch(`${serverUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${text}`);
  return parseExposition(text);
}

/** The value of the one sample of `name` whose labels are exactly `labels`; 0 when there is none (a counter never moved). */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.filter(s => s.name === name && sameLabels(s.labels, labels));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} with labels ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

export function samplesOf(samples: readonly Sample[], name: string): Sample[] {
  return samples.filter(s => s.name === name);
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every(k => a[k] === b[k]);
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not an exposition sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return out;
}
