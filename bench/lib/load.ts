import autocannon, { type Request } from 'autocannon';

export interface LoadResult {
  rps: number;
  /** Requests completed in the measured run. */
  total: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Builds each request's body (e.g. a fresh cuid per payment). */
  bodyFor?: () => string;
  connections: number;
  seconds: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...options.headers },
    connections: options.connections,
    duration: options.seconds,
    ...(options.body ? { body: options.body } : {}),
    ...(options.bodyFor ? { requests: [{ setupRequest: (request: Request) => ({ ...request, body: options.bodyFor!() }) }] } : {}),
  });
  return { rps: result.requests.average, total: result.requests.total, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

/** A short untimed run first, so JIT warm-up and connection set-up are not measured (nor metered). */
export async function warmThenLoad(options: LoadOptions, warmSeconds = 2, meter?: { start(): void; stop(): void }): Promise<LoadResult> {
  await load({ ...options, seconds: warmSeconds });
  meter?.start();
  const result = await load(options);
  meter?.stop();
  return result;
}
