/**
 * Reads README.md's shell examples as a walkthrough (see readme-walkthrough.test.ts for the
 * conventions): its ```sh / ```bash blocks in order, the answers shown after their curl
 * commands, and one bash script that runs them all with every curl call recorded.
 */

export interface ShellBlock {
  /** README line of the opening fence. */
  line: number;
  lines: string[];
}

export interface ShownAnswer {
  id: number;
  /** README line where the answer starts. */
  line: number;
  /** The answer as shown, continuation lines joined with newlines. */
  text: string;
}

const FENCE = /^```(sh|bash)(?:\s+(.*))?$/;

/** The runnable blocks, in order: every ```sh or ```bash block whose info string does not say no-run. */
export function shellBlocks(markdown: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  let open: ShellBlock | undefined;
  let skipping = false;
  let inOtherFence = false;
  markdown.split('\n').forEach((text, index) => {
    if (open || skipping) {
      if (text === '```') {
        if (open) blocks.push(open);
        open = undefined;
        skipping = false;
      } else open?.lines.push(text);
      return;
    }
    if (inOtherFence) {
      inOtherFence = text !== '```';
      return;
    }
    const fence = FENCE.exec(text);
    if (fence) {
      if ((fence[2] ?? '').split(/\s+/).includes('no-run')) skipping = true;
      else open = { line: index + 1, lines: [] };
    } else if (text.startsWith('```')) inOtherFence = true;
  });
  if (open || skipping) throw new Error('README.md: a shell block is not closed');
  return blocks;
}

// An answer starts with a status code or a JSON value; it is shown on the comment line after its
// command, or as the command line's trailing comment.
const ANSWER_START = /^(?:\d{3}\b|[{[])/;
const FULL_COMMENT = /^\s*#\s?(.*)$/;
const TRAILING_COMMENT = /\s#\s+((?:\d{3}\b|[{[]).*)$/;
const HEREDOC = /<<-?\s*['"]?(\w+)['"]?/;

/** Whether the command just before `index` (back to a blank line or a comment) calls curl. */
function followsCurl(lines: string[], index: number): boolean {
  for (let i = index - 1; i >= 0; i--) {
    const text = lines[i]!;
    if (text.trim() === '' || FULL_COMMENT.test(text)) return false;
    if (/\bcurl\b/.test(text.replace(/\s#\s.*$/, ''))) return true;
  }
  return false;
}

export interface Walkthrough {
  script: string;
  answers: ShownAnswer[];
}

/** One bash script of all the blocks, with `__shown <id>` after each answer, so the answer is tied to the curl call before it. */
export function walkthroughScript(blocks: ShellBlock[]): Walkthrough {
  const answers: ShownAnswer[] = [];
  const out: string[] = [PRELUDE];
  for (const block of blocks) {
    out.push(`__block ${block.line}`);
    let heredocEnd: string | undefined;
    block.lines.forEach((text, i) => {
      out.push(text);
      // A here-document's lines are data: nothing is inserted among them.
      if (heredocEnd !== undefined) {
        if (text.trim() === heredocEnd) heredocEnd = undefined;
        return;
      }
      if (!FULL_COMMENT.test(text)) heredocEnd = HEREDOC.exec(text.replace(/\s#\s.*$/, ''))?.[1];
      const line = block.line + 1 + i;
      const comment = FULL_COMMENT.exec(text)?.[1];
      if (comment !== undefined) {
        const previous = answers.at(-1);
        // "#     …" continues the answer above it.
        if (previous && previous.line + previous.text.split('\n').length === line && /^\s/.test(comment)) previous.text += `\n${comment.trim()}`;
        else if (ANSWER_START.test(comment) && followsCurl(block.lines, i)) answers.push({ id: answers.length + 1, line, text: comment.trim() });
        else return;
        out.push(`__shown ${answers.at(-1)!.id}`);
        return;
      }
      const trailing = TRAILING_COMMENT.exec(text);
      if (trailing && !text.trimEnd().endsWith('\\') && followsCurl(block.lines, i + 1)) {
        answers.push({ id: answers.length + 1, line, text: trailing[1]!.trim() });
        out.push(`__shown ${answers.at(-1)!.id}`);
      }
    });
  }
  return { script: out.join('\n') + '\n', answers };
}

// Every curl call is recorded in $__LOG as <n>.headers (status line and headers), <n>.out (what it
// printed), <n>.args; `__shown <id>` records that answer <id> is shown for the latest call.
const PRELUDE = String.raw`set -Eeuo pipefail
__BLOCK=0
__block() { __BLOCK=$1; }
trap 'echo "README.md: the block at line $__BLOCK failed at: $BASH_COMMAND" >&2' ERR
trap '__rc=$?; if [ "$__rc" -ne 0 ]; then echo "README.md: stopped in the block at line $__BLOCK (exit $__rc)" >&2; fi' EXIT
echo 0 > "$__LOG/count"
: > "$__LOG/shown"
curl() {
  local n=$(( $(cat "$__LOG/count") + 1 ))
  echo "$n" > "$__LOG/count"
  printf '%s\n' "$*" > "$__LOG/$n.args"
  set +e
  command curl -D "$__LOG/$n.headers" "$@" | tee "$__LOG/$n.out"
  local rc=$PIPESTATUS
  set -e
  return "$rc"
}
__shown() { echo "$1 $(cat "$__LOG/count")" >> "$__LOG/shown"; }
`;
