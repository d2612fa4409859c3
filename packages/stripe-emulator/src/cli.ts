import { DEFAULT_PORT, startStripeEmulator } from './index.js';

const HELP = `stripe-emulator — a local, stateful Stripe API for development and tests

Usage: stripe-emulator [--port <n>] [--host <addr>] [--data-dir <dir>]

Options:
  --port <n>        Port to listen on (default ${DEFAULT_PORT}, stripe-mock's port; 0 picks a free one)
  --host <addr>     Address to bind (default 127.0.0.1)
  --data-dir <dir>  Keep state durably in <dir>/objects.log (0700 dir, 0600 file); every answer is fsync'd first
  --help            Show this help

Point the official SDK at it:
  new Stripe('sk_test_anything', { host: '127.0.0.1', port: ${DEFAULT_PORT}, protocol: 'http' })
  curl -u sk_test_x: http://127.0.0.1:${DEFAULT_PORT}/v1/customers -d email=a@b.co

Control surface (JSON, no API key):
  GET    /_emulator/health             status and object counts
  POST   /_emulator/reset              clear all state
  POST   /_emulator/faults             {"path":"/v1/payment_intents","method":"POST","count":1,
                                        "kind":"http500|http429|hang|drop","hangMs":90000,
                                        "match":"prefix|exact","executeBeforeFault":false}
  GET    /_emulator/faults             active fault rules
  DELETE /_emulator/faults             remove all fault rules
  GET    /_emulator/clock              {"now","offsetSeconds"}
  POST   /_emulator/clock/advance      {"seconds":86400}
  GET    /_emulator/webhooks           pending webhook deliveries
  GET    /_emulator/3ds/<pi_|seti_id>?client_secret=…  3-D Secure page; POST action=complete|fail finishes it
  POST   /_emulator/disputes/<dp_id>/close  {"status":"won|lost"}

Logs are JSON lines on stdout. Stops cleanly on SIGINT/SIGTERM.`;

interface CliOptions {
  port: number;
  host: string;
  dataDir?: string;
  help: boolean;
}

function parseArgs(args: string[]): CliOptions {
  const out: CliOptions = { port: DEFAULT_PORT, host: '127.0.0.1', help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') out.help = true;
    else if (flag === '--port') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be an integer from 0 to 65535');
      out.port = port;
    } else if (flag === '--host') out.host = value();
    else if (flag === '--data-dir') out.dataDir = value();
    else throw new Error(`unknown option ${arg} (see --help)`);
  }
  return out;
}

function logLine(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...data })}\n`);
}

export async function runStripeEmulatorCommand(args: string[]): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseArgs(args);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
    return;
  }
  if (opts.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  let emulator: Awaited<ReturnType<typeof startStripeEmulator>>;
  try {
    emulator = await startStripeEmulator({ port: opts.port, host: opts.host, dataDir: opts.dataDir, log: logLine });
  } catch (err) {
    logLine('error', 'could not start the stripe emulator', { host: opts.host, port: opts.port, error: err instanceof Error ? err.message : String(err) });
    process.exitCode = 1;
    return;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logLine('info', 'stopping', { signal });
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void emulator.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
