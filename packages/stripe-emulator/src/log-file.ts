import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync, readSync, renameSync, statSync, ftruncateSync, write, writeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { dropCheckpoint, logTail, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';

/** Where a record's JSON lies in the log: byte offset and length. */
export interface Loc {
  o: number;
  l: number;
}

/** One change: `text` null is a tombstone. `t` is the object's creation time (emulator seconds). */
export interface LogRecord {
  kind: string;
  id: string;
  t: number;
  text: string | null;
}

export interface ScannedRecord {
  kind: string;
  id: string;
  t: number;
  loc: Loc | null;
  /** The JSON itself, only for kinds the caller keeps in memory. */
  text: string | null;
}

type Op = { type: 'append'; records: LogRecord[]; written(locs: Array<Loc | null>): void; done: Array<(err?: Error) => void> } | { type: 'truncate'; done: Array<(err?: Error) => void> };

export const LOG_FILE = 'objects.log';
const COMMIT = '#\n';
const CHUNK = 16 * 1024 * 1024;
/** Log growth between checkpoints: what a start after a crash scans at most (besides the checkpoint). */
const CHECKPOINT_EVERY = 64 * 1024 * 1024;

/** What the store saves in a checkpoint: header fields and the bytes after them. */
export interface CheckpointContent {
  fields: Record<string, unknown>;
  parts: Buffer[];
}

/**
 * An append-only log: each commit is its records (`kind\tid\tcreated\tjson\n`, an empty json is a
 * deletion) followed by a `#` line, so a torn tail (a crash mid-write) is cut off on open and a
 * commit is all or nothing. Commits queue while one is being written; each write is one
 * `write` + `fdatasync` of everything queued (group commit), and its promises resolve only after it.
 */
export class LogFile {
  private fd: number;
  private size: number;
  private queue: Op[] = [];
  private busy = false;
  deadBytes = 0;
  liveBytes = 0;
  /** Called between group writes when the log is mostly dead records; it calls compact(). */
  compactor: (() => void) | null = null;
  /** What a checkpoint holds (the store's index), taken between group writes. */
  checkpointer: (() => CheckpointContent) | null = null;
  private checkpointedAt = 0;
  /** Bytes of log read at open (after the checkpoint, if one applied). */
  scannedBytes = 0;

  private constructor(private readonly dir: string, private readonly path: string) {
    this.fd = openSync(path, 'a+', 0o600);
    chmodSync(path, 0o600);
    this.size = statSync(path).size;
  }

  /**
   * Opens (creating) the log in dir (0700). With a valid checkpoint, `restore` gets it and only
   * the log after it is scanned; onRecord gets every committed record scanned, in order.
   */
  static open(dir: string, keepText: (kind: string) => boolean, onRecord: (r: ScannedRecord, log: LogFile) => void, restore: (cp: Checkpoint, log: LogFile) => boolean): LogFile {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const log = new LogFile(dir, join(dir, LOG_FILE));
    const cp = readCheckpoint(dir, log.fd, log.size);
    const from = cp && restore(cp, log) ? cp.header.covered : 0;
    log.checkpointedAt = from;
    const end = log.scan(from, keepText, (r) => onRecord(r, log));
    log.scannedBytes = log.size - from;
    if (end < log.size) {
      ftruncateSync(log.fd, end);
      fsyncSync(log.fd);
      log.size = end;
    }
    return log;
  }

  /** Returns the end of the last complete commit. */
  private scan(from: number, keepText: (kind: string) => boolean, onRecord: (r: ScannedRecord) => void): number {
    let pending: ScannedRecord[] = [];
    let committedEnd = from;
    let base = from;
    let carried = 0;
    // One buffer for the whole scan: the unfinished line at a chunk's end moves to its front.
    let buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      if (carried === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
      const n = readSync(this.fd, buf, carried, buf.length - carried, base + carried);
      if (n === 0) break;
      const filled = carried + n;
      let pos = 0;
      for (let nl = buf.indexOf(10, pos); nl >= 0 && nl < filled; nl = buf.indexOf(10, pos)) {
        if (nl === pos + 1 && buf[pos] === 35) {
          for (const r of pending) onRecord(r);
          pending = [];
          committedEnd = base + nl + 1;
        } else {
          const rec = parseLine(buf, pos, nl, base, keepText);
          if (!rec) return committedEnd;
          pending.push(rec);
        }
        pos = nl + 1;
      }
      buf.copy(buf, 0, pos, filled);
      carried = filled - pos;
      base += pos;
    }
    return committedEnd;
  }

  read(loc: Loc): string {
    const buf = Buffer.allocUnsafe(loc.l);
    readSync(this.fd, buf, 0, loc.l, loc.o);
    return buf.toString('utf8');
  }

  /** Queues a commit; written() gets each record's new location once it is durable. */
  append(records: LogRecord[], written: (locs: Array<Loc | null>) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ type: 'append', records, written, done: [(err) => (err ? reject(err) : resolve())] });
      this.pump();
    });
  }

  /** Empties the log, after every commit queued before it. */
  truncate(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ type: 'truncate', done: [(err) => (err ? reject(err) : resolve())] });
      this.pump();
    });
  }

  /** Resolves once everything queued so far is durable. */
  settled(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.queue.push({ type: 'append', records: [], written: () => undefined, done: [() => resolve()] });
      this.pump();
    });
  }

  shouldCompact(): boolean {
    return this.deadBytes > 64 * 1024 * 1024 && this.deadBytes > this.liveBytes;
  }

  /**
   * Rewrites the log with only what is live (records in their order, read from the old file),
   * fsyncs it and renames it over the old one. Runs between group writes, never during one.
   */
  compact(live: Iterable<{ kind: string; id: string; t: number; loc: Loc | null; text: string | null }>, moved: (locs: Array<Loc | null>) => void): void {
    const tmp = `${this.path}.compact`;
    const fd = openSync(tmp, 'w', 0o600);
    const locs: Array<Loc | null> = [];
    let offset = 0;
    for (const r of live) {
      const text = r.loc ? this.read(r.loc) : r.text;
      if (text === null) {
        locs.push(null);
        continue;
      }
      const head = `${r.kind}\t${r.id}\t${r.t}\t`;
      const line = Buffer.from(`${head}${text}\n`);
      writeSync(fd, line);
      locs.push({ o: offset + Buffer.byteLength(head), l: line.length - Buffer.byteLength(head) - 1 });
      offset += line.length;
    }
    writeSync(fd, COMMIT);
    fsyncSync(fd);
    closeSync(fd);
    dropCheckpoint(this.dir);
    this.checkpointedAt = 0;
    renameSync(tmp, this.path);
    const dirFd = openSync(this.dir, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a+', 0o600);
    this.size = offset + COMMIT.length;
    this.liveBytes = offset;
    this.deadBytes = 0;
    moved(locs);
  }

  /** Saves the index for the log as it is now; a failure only means a longer scan on the next start. */
  checkpoint(): void {
    if (!this.checkpointer || this.checkpointedAt === this.size) return;
    try {
      const { fields, parts } = this.checkpointer();
      writeCheckpoint(this.dir, { ...fields, covered: this.size, tail: logTail(this.fd, this.size) }, parts);
      this.checkpointedAt = this.size;
    } catch {
      dropCheckpoint(this.dir);
    }
  }

  /** After everything queued is durable: checkpoints, so the next start scans nothing. */
  close(): void {
    if (!this.busy && this.queue.length === 0) this.checkpoint();
    closeSync(this.fd);
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    const first = this.queue.shift();
    if (first?.type === 'truncate') return this.runTruncate(first.done);
    if (this.shouldCompact()) this.compactor?.();
    if (this.size - this.checkpointedAt > CHECKPOINT_EVERY) this.checkpoint();
    const group: Array<Extract<Op, { type: 'append' }>> = first ? [first] : [];
    while (this.queue[0]?.type === 'append') group.push(this.queue.shift() as Extract<Op, { type: 'append' }>);
    this.runAppend(group);
  }

  private finish(done: Array<(err?: Error) => void>, err?: Error): void {
    this.busy = false;
    for (const d of done) d(err);
    this.pump();
  }

  private runTruncate(done: Array<(err?: Error) => void>): void {
    try {
      dropCheckpoint(this.dir);
      this.checkpointedAt = 0;
      ftruncateSync(this.fd, 0);
      fsyncSync(this.fd);
      this.size = 0;
      this.deadBytes = 0;
      this.liveBytes = 0;
      this.finish(done);
    } catch (err) {
      this.finish(done, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private runAppend(group: Array<Extract<Op, { type: 'append' }>>): void {
    const parts: string[] = [];
    const locsOf: Array<Array<Loc | null>> = [];
    let offset = this.size;
    for (const op of group) {
      if (op.records.length === 0) continue;
      const locs: Array<Loc | null> = [];
      for (const r of op.records) {
        const head = `${r.kind}\t${r.id}\t${r.t}\t`;
        const text = r.text ?? '';
        const headBytes = Buffer.byteLength(head);
        const textBytes = Buffer.byteLength(text);
        locs.push(r.text === null ? null : { o: offset + headBytes, l: textBytes });
        parts.push(head, text, '\n');
        offset += headBytes + textBytes + 1;
      }
      parts.push(COMMIT);
      offset += COMMIT.length;
      locsOf.push(locs);
    }
    const done = group.flatMap((op) => op.done);
    if (parts.length === 0) return this.finish(done);
    const buf = Buffer.from(parts.join(''));
    write(this.fd, buf, 0, buf.length, null, (werr) => {
      if (werr) return this.finish(done, werr);
      fdatasync(this.fd, (serr) => {
        if (serr) return this.finish(done, serr);
        this.size = offset;
        this.liveBytes += buf.length;
        group.filter((op) => op.records.length > 0).forEach((op, i) => op.written(locsOf[i] ?? []));
        this.finish(done);
      });
    });
  }
}

function parseLine(buf: Buffer, start: number, end: number, base: number, keepText: (kind: string) => boolean): ScannedRecord | null {
  const t1 = buf.indexOf(9, start);
  const t2 = t1 < 0 ? -1 : buf.indexOf(9, t1 + 1);
  const t3 = t2 < 0 ? -1 : buf.indexOf(9, t2 + 1);
  if (t3 < 0 || t3 > end) return null;
  const kind = buf.toString('latin1', start, t1);
  const id = buf.toString('utf8', t1 + 1, t2);
  const t = Number(buf.toString('latin1', t2 + 1, t3));
  const len = end - t3 - 1;
  if (len === 0) return { kind, id, t, loc: null, text: null };
  return { kind, id, t, loc: { o: base + t3 + 1, l: len }, text: keepText(kind) ? buf.toString('utf8', t3 + 1, end) : null };
}
