import { DIGEST, type Checkpoint } from './checkpoint.js';
import type { CheckpointContent, Loc, LogFile } from './log-file.js';
import type { LoggedMap } from './logged-map.js';
import { RecordIndex, type IndexMeta } from './record-index.js';

/** The store's parts on disk besides its records: checkpoints of its index, and compaction. */
type Indexes = Map<string, RecordIndex>;
type Maps = ReadonlyArray<LoggedMap<unknown>>;

interface CheckpointFields {
  kinds?: Array<{ kind: string; meta: IndexMeta }>;
  maps?: Record<string, Array<[string, unknown]>>;
  liveBytes?: number;
  deadBytes?: number;
}

/** The index and the small maps, for a checkpoint of the log as it is now. */
export function checkpointContent(indexes: Indexes, maps: Maps, log: LogFile | null): CheckpointContent {
  const kinds: Array<{ kind: string; meta: IndexMeta }> = [];
  const parts: Buffer[] = [];
  for (const [kind, index] of indexes) {
    const saved = index.toBuffers();
    kinds.push({ kind, meta: saved.meta });
    parts.push(...saved.parts);
  }
  const mapEntries = Object.fromEntries(maps.map((m) => [m.kind, [...m.entries()]]));
  return { fields: { kinds, maps: mapEntries, liveBytes: log?.liveBytes ?? 0, deadBytes: log?.deadBytes ?? 0 }, parts };
}

/** The indexes a checkpoint saved (its maps loaded into `maps`), or null if it does not read as one. */
export function restoreCheckpoint(cp: Checkpoint, maps: Maps, log: LogFile): Indexes | null {
  const { kinds, maps: mapEntries, liveBytes, deadBytes } = cp.header as CheckpointFields;
  if (!Array.isArray(kinds) || typeof mapEntries !== 'object' || mapEntries === null) return null;
  const indexes: Indexes = new Map();
  let at = cp.bodyStart;
  for (const { kind, meta } of kinds) {
    const restored = RecordIndex.fromBuffer(meta, cp.buf, at);
    indexes.set(kind, restored.index);
    at = restored.end;
  }
  if (at !== cp.buf.length - DIGEST) return null;
  for (const m of maps) for (const [k, v] of mapEntries[m.kind] ?? []) m.load(k, v);
  log.liveBytes = liveBytes ?? 0;
  log.deadBytes = deadBytes ?? 0;
  return indexes;
}

/** Rewrites the log with what is live; the log calls it between group writes. */
export function compactLog(indexes: Indexes, maps: Maps, log: LogFile | null): void {
  if (!log) return;
  const live: Array<{ kind: string; id: string; t: number; loc: Loc | null; text: string | null; index?: RecordIndex; slot?: number }> = [];
  for (const [kind, index] of indexes) {
    for (let slot = 0; slot < index.slots; slot++) {
      if (!index.isLive(slot)) continue;
      const loc = index.loc(slot);
      live.push({ kind, id: index.id(slot), t: index.created(slot), loc, text: loc ? null : (index.text(slot) ?? null), index, slot });
    }
  }
  for (const m of maps) for (const [id, v] of m.entries()) live.push({ kind: m.kind, id, t: 0, loc: null, text: JSON.stringify(v) });
  // A newer version still in memory keeps precedence: only the durable location moves.
  log.compact(live, (locs) => live.forEach((r, i) => {
    const loc = locs[i];
    if (r.index && r.slot !== undefined && loc && r.loc) r.index.relocate(r.slot, loc.o, loc.l);
  }));
}
