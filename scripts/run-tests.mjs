#!/usr/bin/env node
// Runs every test file under test/ and packages/*/test/ with node's own test runner, TypeScript loaded by tsx.
// The workspace packages load from their sources (the stripe-emulator-source export condition), in this
// process and in every node process a test starts, so a test never runs against a stale build.
// Node 20's --test takes no globs, so the files are listed here.
// Usage: npm test [-- <path filter>...]   e.g. npm test -- emulator
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
// The workspace packages' own tests run too (the emulator's; the typed client's, against a running service).
const packageTests = ['packages', 'clients'].flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name, 'test')) : []));
const files = ['test', ...packageTests].flatMap((dir) => (existsSync(dir) ? findTests(dir) : []))
  .filter((f) => filters.length === 0 || filters.some((flt) => f.includes(flt)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
function run(testFiles, concurrency) {
  if (testFiles.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...testFiles],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=stripe-emulator-source`.trim() } },
  );
  return result.status ?? 1;
}

// On PostgreSQL each test file makes a database of its own beside DATABASE_URL's (test/helpers/test-database.ts):
// those of an earlier run that was cut short go first, and this run's after it.
async function dropFileDatabases() {
  if (!process.env.DATABASE_URL) return;
  const { default: pg } = await import('pg');
  const base = decodeURIComponent(new URL(process.env.DATABASE_URL).pathname.slice(1));
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      "select datname from pg_database where starts_with(datname, $1 || '__file_') and substr(datname, length($1) + 8) ~ '^[0-9]+$'",
      [base],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname.replaceAll('"', '""')}" with (force)`);
  } finally {
    await admin.end();
  }
}

// The files that time outbound deliveries and the Stripe event queue run one at a time after the rest on
// PostgreSQL, where the server's load is shared by every file (on PGlite each file has its database in-process).
const timesDeliveries = (file) => process.env.DATABASE_URL && /webhook|event-queue/.test(file);
const together = files.filter((f) => !timesDeliveries(f));
const alone = files.filter(timesDeliveries);
await dropFileDatabases();
const status = run(together, 2);
const aloneStatus = run(alone, 1);
await dropFileDatabases();
process.exit(status !== 0 ? status : aloneStatus);
