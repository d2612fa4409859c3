/**
 * README.md's shell examples, run as a newcomer runs them: top to bottom, against a fresh
 * `npm start` (the embedded defaults, PGlite and the Stripe emulator, in a DATA_DIR of its own,
 * started through the same code as `npm start`, on a free port).
 *
 * Conventions for README authors:
 * - Every ```sh and ```bash block runs, in README order, in one bash session (`set -Eeuo pipefail`,
 *   so variables carry from one block to the next), in an empty working directory. The session
 *   starts with what a reader has after `npm start`: BASE, KEY (the organisation's API key),
 *   DATA_DIR, and OPERATOR_API_KEY (the one block that needs it says to start with it).
 * - ```sh no-run marks a block that must not run here: the set-up (`npm ci`, `npm start`),
 *   commands that need the server stopped, production configuration.
 * - A shown answer is a comment right after a curl command (on its own line, or trailing the
 *   command) that starts with a status code (`# 201 {…}`) or a JSON value (`# {"status":"ok"}`);
 *   further lines starting `#   ` (a space after the indent) continue it. It is checked: the status
 *   (a JSON-only answer: 2xx), every `"key": literal` in it (strings holding … or ... are elisions
 *   and not checked) somewhere in the answered JSON, and `location:` / `link:` header lines (…
 *   matches anything). `http://127.0.0.1:3000` in an answer stands for $BASE.
 * - Every other curl call must answer below 400: a refusal the README means to show is shown.
 * - Here-document lines are data: a `# 200` among them is not an answer.
 * New blocks need nothing more than to be runnable in that order.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startService } from '../helpers/service.js';
import { shellBlocks, walkthroughScript, type ShownAnswer } from './readme-shell.js';

interface Call {
  n: number;
  args: string;
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** The last response's status and headers in a `curl -D` file (an upload may get a 100 Continue first). */
function parseHeaders(dump: string): { status: number; headers: Map<string, string> } {
  const responses = dump.split(/\r?\n\r?\n/).filter((part) => part.startsWith('HTTP/'));
  const [statusLine = '', ...lines] = (responses.at(-1) ?? '').split(/\r?\n/);
  const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as const));
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers };
}

function readCalls(log: string): Call[] {
  const count = Number(readFileSync(join(log, 'count'), 'utf8'));
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const read = (suffix: string) => {
      try {
        return readFileSync(join(log, `${n}.${suffix}`), 'utf8');
      } catch {
        return ''; // curl never connected: no headers
      }
    };
    const out = read('out');
    // With `curl -i` the headers come first in what it printed.
    const body = out.startsWith('HTTP/') ? out.split(/\r?\n\r?\n/).filter((part) => !part.startsWith('HTTP/')).join('\n\n') : out;
    return { n, args: read('args').trim(), ...parseHeaders(read('headers')), body };
  });
}

/** A shown value as a pattern: … and ... match anything; the README's base URL is this run's. */
function shownPattern(shown: string, base: string): RegExp {
  const withBase = shown.replaceAll('http://127.0.0.1:3000', base).replaceAll(encodeURIComponent('http://127.0.0.1:3000'), encodeURIComponent(base));
  const escaped = withBase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('…', '.*?').replaceAll('\\.\\.\\.', '.*?');
  return new RegExp(`^${escaped}$`, 's');
}

function holds(value: unknown, key: string, expected: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => holds(item, key, expected));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => (k === key && JSON.stringify(v) === JSON.stringify(expected)) || holds(v, key, expected));
}

const PAIR = /"(\w+)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)(?=\s*[,}\]])/g;
const HEADER_LINE = /^(location|link):\s*(.+)$/i;

function checkAnswer(answer: ShownAnswer, call: Call, base: string): string[] {
  const where = `README.md:${answer.line} (curl ${call.args})`;
  const problems: string[] = [];
  const status = /^\d{3}\b/.exec(answer.text)?.[0];
  if (status ? call.status !== Number(status) : call.status < 200 || call.status > 299) problems.push(`${where}: shows ${status ?? '2xx'}, answered ${call.status} ${call.body.slice(0, 300)}`);
  const lines = answer.text.replace(/^\d{3}\s*/, '').split('\n');
  for (const [, name, shown] of lines.map((line) => HEADER_LINE.exec(line)).filter((match) => match !== null)) {
    const actual = call.headers.get(name!.toLowerCase()) ?? '';
    if (!shownPattern(shown!, base).test(actual)) problems.push(`${where}: shows ${name}: ${shown}, answered ${name}: ${actual}`);
  }
  const pairs = [...lines.filter((line) => !HEADER_LINE.test(line)).join('\n').matchAll(PAIR)].filter(([, , value]) => !/…|\.\.\./.test(value!));
  if (pairs.length === 0) return problems;
  let body: unknown;
  try {
    body = JSON.parse(call.body);
  } catch {
    return [...problems, `${where}: shows JSON, answered ${call.body.slice(0, 300)}`];
  }
  for (const [, key, value] of pairs) if (!holds(body, key!, JSON.parse(value!))) problems.push(`${where}: shows "${key}": ${value}, answered ${call.body.slice(0, 500)}`);
  return problems;
}

function runBash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd, env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('README.md walkthrough', () => {
  test('the conventions: no-run blocks are skipped, answers follow their curl command, here-documents stay as written', () => {
    const markdown = ['```sh no-run', 'npm start', '```', 'Text.', '```sh', 'curl -s $BASE/a', '# 200 {"a": 1,', '#      "b": "…"}', '# a remark',
      'X=1   # 204 after no curl', 'curl -s $BASE/b --data-binary @- <<EOF', '# 200 data, not an answer', 'EOF', 'curl -s -X POST $BASE/c   # 201',
      '```', '```json', '{"not": "shell"}', '```', '```bash', 'echo done', '```'].join('\n');
    const blocks = shellBlocks(markdown);
    assert.deepEqual(blocks.map((block) => block.line), [5, 19]);
    const { script, answers } = walkthroughScript(blocks);
    assert.deepEqual(answers.map((answer) => [answer.line, answer.text]), [[7, '200 {"a": 1,\n"b": "…"}'], [14, '201']]);
    assert.ok(!script.includes('npm start'));
    assert.match(script, /<<EOF\n# 200 data, not an answer\nEOF\n/);

    const base = 'http://127.0.0.1:4321';
    const call = { n: 1, args: '…', status: 302, headers: new Map([['location', `${base}/next?x=1`]]), body: '{"a":{"b":[{"c":true}]}}' };
    assert.deepEqual(checkAnswer({ id: 1, line: 1, text: '302 {"c": true, "d": "…"}\nlocation: http://127.0.0.1:3000/next?…' }, call, base), []);
    assert.equal(checkAnswer({ id: 1, line: 1, text: '200 {"c": false}\nlocation: http://127.0.0.1:3000/other' }, call, base).length, 3, 'status, field and header');
  });

  test('its shell blocks run top to bottom against a fresh start, and answer what they show', async () => {
    const { script, answers } = walkthroughScript(shellBlocks(readFileSync('README.md', 'utf8')));
    assert.ok(answers.length >= 20, `only ${answers.length} shown answers were found: the conventions above no longer match the README`);
    const key = `pbk_readme_${randomBytes(16).toString('hex')}`;
    const operatorKey = `operator_${randomBytes(16).toString('hex')}`;
    const service = await startService({ BOOTSTRAP_API_KEY: key, OPERATOR_API_KEY: operatorKey });
    const cwd = mkdtempSync(join(tmpdir(), 'paybridge-readme-'));
    const log = mkdtempSync(join(tmpdir(), 'paybridge-readme-log-'));
    try {
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, BASE: service.url, KEY: key, OPERATOR_API_KEY: operatorKey, DATA_DIR: service.dataDir, __LOG: log };
      const run = await runBash(script, cwd, env);
      assert.equal(run.code, 0, `the walkthrough stopped:\n${run.stderr.slice(-3000)}\n--- its last output:\n${run.stdout.slice(-2000)}`);

      const calls = readCalls(log);
      const shown = new Map(readFileSync(join(log, 'shown'), 'utf8').trim().split('\n').filter(Boolean).map((line) => line.split(' ').map(Number) as [number, number]));
      const problems = answers.flatMap((answer) => {
        const call = calls[(shown.get(answer.id) ?? 0) - 1];
        return call ? checkAnswer(answer, call, service.url) : [`README.md:${answer.line}: the answer shown there was never reached`];
      });
      const answered = new Set(shown.values());
      for (const call of calls) if (!answered.has(call.n) && !(call.status >= 100 && call.status < 400)) problems.push(`curl ${call.args}: answered ${call.status} ${call.body.slice(0, 300)}, and the README shows no such answer`);
      assert.deepEqual(problems, []);
    } finally {
      await service.close();
      rmSync(cwd, { recursive: true, force: true });
      rmSync(log, { recursive: true, force: true });
    }
  });
});
