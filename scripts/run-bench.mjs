#!/usr/bin/env node
// npm run bench: the benchmarks, which are never part of the test run.
import { spawnSync } from 'node:child_process';

const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
