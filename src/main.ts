#!/usr/bin/env node
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.js';
import { openConfiguredDatabase, reconcileOnce, startServer } from './server.js';

const COMMANDS: ReadonlyArray<[string, string]> = [
  ['serve', 'start the HTTP service (what `npm start` runs); applies migrations first'],
  ['migrate', 'apply the database migrations and exit'],
  ['reconcile', 'bring unsettled payments into agreement with Stripe once and exit (embedded mode: stop the server first)'],
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

async function serve(): Promise<void> {
  const server = await startServer(loadConfig());
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
  const database = await openConfiguredDatabase(loadConfig());
  try {
    await database.migrate();
    console.log(`migrations applied (${database.kind})`);
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve();
    case 'migrate':
      return migrate();
    case 'reconcile': {
      const report = await reconcileOnce(loadConfig());
      console.log(JSON.stringify(report));
      return;
    }
    case 'stripe-emulator': {
      const { runStripeEmulatorCommand } = await import('./stripe-emulator/cli.js');
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

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  console.error(error);
  process.exit(1);
});
