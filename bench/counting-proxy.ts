/**
 * A reverse proxy on loopback that records the HTTP requests the server
 * receives, without touching the server: point PROCUREMENT_URL at it.
 * Built on the tests' fault proxy, whose hook sees every request: this one
 * records it and never injects a fault.
 */
import { startFaultProxy } from '../test/support/fault-proxy';

export interface CountingProxy {
  readonly url: string;
  /** `METHOD path` of every request forwarded since the last `reset()`. */
  readonly seen: string[];
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const seen: string[] = [];
  const proxy = await startFaultProxy(target, {
    fault: req => {
      seen.push(`${req.method} ${req.url}`);
      return null;
    },
  });
  return {
    url: proxy.url,
    seen,
    reset: () => {
      seen.length = 0;
    },
    close: () => proxy.close(),
  };
}
