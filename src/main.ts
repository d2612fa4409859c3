#!/usr/bin/env node
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.js';
import { EXIT_CONFIG, StartupError } from './bootstrap/startup-errors.js';

const COMMANDS: ReadonlyArray<[string, string]> = [
  ['serve', 'start the HTTP service (what `npm start` runs); applies migrations first'],
  ['migrate', 'apply the database migrations and exit'],
  ['reconcile', 'bring unsettled payments into agreement with Stripe once and exit (embedded mode: stop the server first)'],
  ['org create --name NAME | org list', 'create an organisation (prints its first API key, once) or list them (embedded mode: stop the server first)'],
  ['stripe-emulator [--port N] [--host H] [--data-dir D]', 'run the local Stripe emulator on its own (see `stripe-emulator --help`)'],
  ['help, --help', 'show this text'],
];

function usage(): string {
  const width = Math.max(...[...COMMANDS, ...CONFIG_VARIABLES].map(([name]) => name.length)) + 2;
  const rows = (list: ReadonlyArray<[string, string]>) => list.map(([name, text]) => `  ${name.padEnd(width)}${text}`).join('\n');
  return [
    'paybridge: self-hostable users & payments service',
    '',
    'Usage: paybridge <command>',
    '',
    'Commands:',
    rows(COMMANDS),
    '',
    'Configuration (environment variables):',
    rows(CONFIG_VARIABLES),
    '',
  ].join('\n');
}

// The server's modules load only for the commands that need them, so --help answers at once.
const serverModule = () => import('./bootstrap/server.js');

async function serve(): Promise<void> {
  const config = loadConfig();
  const { startServer } = await serverModule();
  const server = await startServer(config);
  const stop = (signal: string) => {
    server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function migrate(): Promise<void> {
  const config = loadConfig();
  const { openMigratedDatabase } = await serverModule();
  const database = await openMigratedDatabase(config);
  try {
    console.log(`migrations applied (${database.kind})`);
  } finally {
    await database.close();
  }
}

const HELP_FLAGS = new Set(['--help', '-h', 'help']);
// `org` reads its sub-command and options; these take nothing, so a stray word is a typo worth saying.
const TAKES_NO_ARGUMENTS = new Set(['serve', 'migrate', 'reconcile']);

/** `paybridge <command> --help`: that command's line and the configuration it reads, and nothing else. */
function commandHelp(command: string): string | undefined {
  const entry = COMMANDS.find(([name]) => name.split(' ')[0] === command);
  if (!entry || command === 'stripe-emulator') return undefined;
  return `Usage: paybridge ${entry[0]}\n\n  ${entry[1]}\n\n${usage().slice(usage().indexOf('Configuration'))}`;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const help = command ? commandHelp(command) : undefined;
  if (help !== undefined && rest.some((arg) => HELP_FLAGS.has(arg))) {
    process.stdout.write(help);
    return;
  }
  if (help !== undefined && TAKES_NO_ARGUMENTS.has(command!) && rest.length > 0) {
    process.stderr.write(`paybridge ${command} takes no arguments (got ${rest.join(' ')}).\n\n${help}`);
    process.exitCode = 2;
    return;
  }
  switch (command) {
    case 'serve':
      return serve();
    case 'migrate':
      return migrate();
    case 'reconcile': {
      const config = loadConfig();
      const { reconcileOnce } = await serverModule();
      const report = await reconcileOnce(config);
      console.log(JSON.stringify(report));
      return;
    }
    case 'org': {
      const { runOrgCommand } = await import('./org-cli.js');
      process.exitCode = await runOrgCommand(loadConfig(), rest);
      return;
    }
    case 'stripe-emulator': {
      const { runStripeEmulatorCommand } = await import('@paybridge/stripe-emulator/cli');
      return runStripeEmulatorCommand(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage());
      return;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${usage()}`);
      process.exitCode = 2;
  }
}

// A fault at start-up is one line on stderr, never a stack trace: the operator has something to fix.
main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  if (error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`paybridge could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
