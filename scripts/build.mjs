#!/usr/bin/env node
// Builds dist/ with tsc and records a fingerprint of everything the build reads.
// With --if-stale (npm start), the build is skipped when that fingerprint is unchanged.
// The fingerprint hashes file contents, not mtimes: a checkout, a copy that keeps old times or a
// revert to an earlier version all change the contents that matter and nothing else does.
// migrations/ is not an input: the service reads it at run time, from the repository.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = process.cwd();
// The embedded Stripe emulator is a workspace package the service imports from its dist/.
const EMULATOR = 'packages/stripe-emulator';
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', `${EMULATOR}/src`, `${EMULATOR}/package.json`, `${EMULATOR}/tsconfig.json`];
const STAMP = join(root, 'dist', '.build-stamp');
const ENTRY = join(root, 'dist', 'main.js');

function filesUnder(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

function fingerprint() {
  const hash = createHash('sha256');
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/package.json');
  hash.update(`typescript ${JSON.parse(readFileSync(tsc, 'utf8')).version}\0`);
  for (const file of INPUTS.flatMap((input) => filesUnder(join(root, input)))) {
    hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const current = fingerprint();
if (process.argv.includes('--if-stale') && existsSync(ENTRY) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === current) {
  console.error('dist/ is current; skipping the build');
  process.exit(0);
}
// A build that fails half-way must not look current.
rmSync(STAMP, { force: true });
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const projects = [join(EMULATOR, 'tsconfig.json'), 'tsconfig.build.json'].filter((project) => existsSync(join(root, project)));
for (const project of projects) {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
// The fingerprint taken before the build: a file edited during it makes the next start rebuild.
writeFileSync(STAMP, current);
