import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';

const BUILD = resolve('scripts/build.mjs');

// A tiny project laid out like this one, so each tsc run takes a moment, not the whole build's time.
const project = mkdtempSync(join(tmpdir(), 'paybridge-build-'));
mkdirSync(join(project, 'src'));
symlinkSync(resolve('node_modules'), join(project, 'node_modules'));
writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, noEmit: true, types: [] } }));
writeFileSync(join(project, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist', noEmit: false }, include: ['src'] }));
const main = join(project, 'src', 'main.ts');
after(() => rmSync(project, { recursive: true, force: true }));

function start(): { built: boolean; output: string } {
  const result = spawnSync(process.execPath, [BUILD, '--if-stale'], { cwd: project, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr + result.stdout);
  return { built: !result.stderr.includes('skipping the build'), output: readFileSync(join(project, 'dist', 'main.js'), 'utf8') };
}

describe('npm start builds only when dist/ is stale', () => {
  test('first start builds; an unchanged tree is not rebuilt', () => {
    writeFileSync(main, "export const greeting: string = 'one';\n");
    assert.equal(start().built, true);
    const again = start();
    assert.equal(again.built, false);
    assert.match(again.output, /'one'/);
  });

  test('a changed file is rebuilt, even when its mtime is older than the last build', () => {
    writeFileSync(main, "export const greeting: string = 'two';\n");
    const past = new Date(Date.now() - 86_400_000);
    utimesSync(main, past, past);
    const after = start();
    assert.equal(after.built, true);
    assert.match(after.output, /'two'/);
  });

  test('a new file or a missing dist/main.js each rebuild', () => {
    writeFileSync(join(project, 'src', 'extra.ts'), 'export const extra = 1;\n');
    assert.equal(start().built, true);
    assert.ok(statSync(join(project, 'dist', 'extra.js')).isFile());

    rmSync(join(project, 'dist', 'main.js'));
    assert.equal(start().built, true);
    assert.equal(start().built, false);
  });

  test('a failed build is not taken for a current one', () => {
    writeFileSync(main, 'export const greeting: number = "not a number";\n');
    const failed = spawnSync(process.execPath, [BUILD, '--if-stale'], { cwd: project, encoding: 'utf8' });
    assert.notEqual(failed.status, 0);
    const again = spawnSync(process.execPath, [BUILD, '--if-stale'], { cwd: project, encoding: 'utf8' });
    assert.notEqual(again.status, 0, 'the broken tree is built (and refused) again, not skipped');
  });
});
