import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const CHECKPOINT_FILE = 'objects.index';
const MAGIC = 'stripe-emulator-index 1\n';
const TAIL = 4096;
/** The sha256 that ends the file. */
export const DIGEST = 32;

/** What the store saves of itself; `covered` and `tail` are added by the log. */
export interface CheckpointHeader {
  covered: number;
  tail: string;
  [field: string]: unknown;
}

export interface Checkpoint {
  header: CheckpointHeader;
  /** The whole file; the store's bytes start at `bodyStart`. */
  buf: Buffer;
  bodyStart: number;
}

/** A digest of the log's last bytes before `covered`, so a checkpoint only applies to the log it was made from. */
export function logTail(fd: number, covered: number): string {
  const start = Math.max(0, covered - TAIL);
  const buf = Buffer.alloc(covered - start);
  readSync(fd, buf, 0, buf.length, start);
  return createHash('sha256').update(buf).digest('hex');
}

/**
 * Writes the index of everything in the log up to `covered` (the end of a commit), so the next
 * start reads it and scans only the log after it. Written aside, fsync'd and renamed over the
 * old one; a torn or stale file fails its checks and the log is scanned whole instead.
 */
export function writeCheckpoint(dir: string, header: CheckpointHeader, parts: Buffer[]): void {
  const path = join(dir, CHECKPOINT_FILE);
  const tmp = `${path}.tmp`;
  const hash = createHash('sha256');
  const fd = openSync(tmp, 'w', 0o600);
  try {
    for (const part of [Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`), ...parts]) {
      hash.update(part);
      writeSync(fd, part);
    }
    writeSync(fd, hash.digest());
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The checkpoint, if there is one, intact, made from this log (same bytes before `covered`). */
export function readCheckpoint(dir: string, logFd: number, logSize: number): Checkpoint | null {
  let buf: Buffer;
  try {
    buf = readFileSync(join(dir, CHECKPOINT_FILE));
  } catch {
    return null;
  }
  if (buf.length < MAGIC.length + DIGEST || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const body = buf.subarray(0, buf.length - DIGEST);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(buf.length - DIGEST))) return null;
  const nl = buf.indexOf(10, MAGIC.length);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length, nl)) as CheckpointHeader;
  } catch {
    return null;
  }
  if (typeof header.covered !== 'number' || header.covered > logSize || header.tail !== logTail(logFd, header.covered)) return null;
  return { header, buf, bodyStart: nl + 1 };
}

/** Before the log is rewritten or emptied: its offsets are about to mean nothing. */
export function dropCheckpoint(dir: string): void {
  rmSync(join(dir, CHECKPOINT_FILE), { force: true });
}
