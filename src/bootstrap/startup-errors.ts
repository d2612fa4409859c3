/**
 * Start-up that names the fault: an operator reads one line naming the variable to fix and what
 * is wrong with it, and the exit code says whether to fix the configuration (78, EX_CONFIG) or
 * wait for a dependency (69, EX_UNAVAILABLE). No stack trace: the fault is theirs to fix, not ours.
 */
export const EXIT_CONFIG = 78;
export const EXIT_UNAVAILABLE = 69;

export class StartupError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
    readonly exitCode: typeof EXIT_CONFIG | typeof EXIT_UNAVAILABLE,
  ) {
    super(`${variable}: ${problem}`);
  }
}

type Fault = Error & { code?: unknown; address?: unknown; port?: unknown; hostname?: unknown };

function faultOf(error: unknown): Fault | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const { code } = e as Fault;
    if (typeof code === 'string') return e as Fault;
    // AggregateError (connecting to every address of a host): its parts carry the code.
    const parts = (e as Partial<AggregateError>).errors;
    if (Array.isArray(parts) && parts[0] instanceof Error) return faultOf(parts[0]);
  }
  return error instanceof Error ? (error as Fault) : undefined;
}

const SOCKET_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
};

function where(url: string): { target: string; database: string; user: string } {
  try {
    const parsed = new URL(url);
    return { target: `${parsed.hostname}:${parsed.port || '5432'}`, database: decodeURIComponent(parsed.pathname.slice(1)), user: decodeURIComponent(parsed.username) };
  } catch {
    return { target: 'the server', database: '', user: '' };
  }
}

/** Why the database named by DATABASE_URL cannot be used, in one line (never the URL's password). */
export function describeDatabaseFault(error: unknown, url: string): StartupError {
  const fault = faultOf(error);
  const code = typeof fault?.code === 'string' ? fault.code : '';
  const { target, database, user } = where(url);
  if (SOCKET_WORDS[code]) return new StartupError('DATABASE_URL', `cannot connect to ${target} (${SOCKET_WORDS[code]})`, EXIT_UNAVAILABLE);
  if (code === '3D000') return new StartupError('DATABASE_URL', `the database "${database}" does not exist on ${target}`, EXIT_CONFIG);
  if (code === '28P01' || code === '28000') return new StartupError('DATABASE_URL', `${target} refused user "${user}" (authentication failed)`, EXIT_CONFIG);
  if (/^(08|57P0|53300)/.test(code) || /Connection terminated|timeout exceeded/i.test(fault?.message ?? '')) {
    return new StartupError('DATABASE_URL', `cannot connect to ${target} (${fault?.message ?? 'connection failed'})`, EXIT_UNAVAILABLE);
  }
  if (error instanceof TypeError || /Invalid URL|password must be a string/i.test(fault?.message ?? '')) {
    return new StartupError('DATABASE_URL', 'is not a valid postgres:// connection string', EXIT_CONFIG);
  }
  return new StartupError('DATABASE_URL', `cannot be used: ${fault?.message ?? String(error)}`, EXIT_UNAVAILABLE);
}

/** Why a port could not be listened on; `variable` is the setting that chose it (PORT or STRIPE_EMULATOR_PORT). */
export function describeListenFault(error: unknown, variable: 'PORT' | 'STRIPE_EMULATOR_PORT', host: string, port: number): StartupError | undefined {
  const fault = faultOf(error);
  const text = `${typeof fault?.code === 'string' ? fault.code : ''} ${fault?.message ?? ''}`;
  const hint = variable === 'STRIPE_EMULATOR_PORT' ? " (another paybridge's emulator? set STRIPE_API_BASE to share it, or choose another port)" : '';
  if (/EADDRINUSE/.test(text)) return new StartupError(variable, `${host}:${port} is already in use by another process${hint}`, EXIT_CONFIG);
  if (/EACCES/.test(text)) return new StartupError(variable, `${host}:${port} may not be listened on by this user (permission denied)`, EXIT_CONFIG);
  if (/EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN|EAI_NONAME/.test(text)) return new StartupError('HOST', `"${host}" is not an address of this machine`, EXIT_CONFIG);
  return undefined;
}

/** Runs one start-up step; a failure it recognises becomes the StartupError naming its variable. */
export async function blame<T>(step: () => Promise<T>, describe: (error: unknown) => StartupError | undefined): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw describe(error) ?? error;
  }
}
