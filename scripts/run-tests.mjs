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

// On a shared PostgreSQL every instance's workers take any test's queued work (outbound deliveries,
// Stripe events, which another file's instance would re-read from its own emulator), so the files
// that time those queues run one at a time after the rest (on PGlite each file has its own database).
const timesDeliveries = (file) => process.env.DATABASE_URL && /webhook|event-queue/.test(file);
const together = files.filter((f) => !timesDeliveries(f));
const alone = files.filter(timesDeliveries);
const status = run(together, 2);
const aloneStatus = run(alone, 1);
process.exit(status !== 0 ? status : aloneStatus);
