#!/usr/bin/env node
// npm run bench: the benchmarks, which are never part of the test run.
import { spawnSync } from 'node:child_process';

// The service is measured as `npm start` runs it: built, on plain node (bench/lib/processes.ts).
const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
  stdio: 'inherit',
  // The emulator package loads from its sources, in the bench and in every process it starts.
  env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=stripe-emulator-source`.trim() },
});
process.exit(result.status ?? 1);
