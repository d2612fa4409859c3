/** What a checkpoint says about one index besides its bytes. */
export interface IndexMeta {
  used: number;
  idsEnd: number;
  tableLength: number;
}

/** Marks a slot whose record was removed (its id may come back in a newer slot). */
const REMOVED = -1;
/** Marks a slot whose JSON is only in memory (not yet on disk, or a store without a directory). */
const IN_MEMORY = -2;

function fnv1a(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function grown<T extends Float64Array | Int32Array | Uint32Array | Uint16Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * Where one kind's records are: slot i (creation order) → id, log offset and length, created.
 * Ids are bytes in one growing buffer, found through an open-addressing hash table of slots, so
 * the whole index is a few typed arrays (~70 bytes a record) that the garbage collector never
 * walks; as JS objects (a Map of `{t, loc: {o, l}}`) the same index cost ~300 bytes a record and
 * made the V8 heap, and its headroom, grow with every object.
 */
export class RecordIndex {
  private ids = Buffer.allocUnsafe(64 * 1024);
  private idsEnd = 0;
  private idAt = new Uint32Array(1024);
  private idLen = new Uint16Array(1024);
  private offset = new Float64Array(1024);
  private length = new Int32Array(1024);
  private createdAt = new Float64Array(1024);
  /** slot + 1 per bucket, 0 = empty; always at most half full. */
  private table = new Int32Array(4096);
  /** JSON of slots marked IN_MEMORY. */
  private texts = new Map<number, string>();
  private used = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** Slots ever used (live or removed): iterate `0 ≤ slot < slots` and skip what `isLive` refuses. */
  get slots(): number {
    return this.used;
  }

  /** The live slot of id, or -1. */
  find(id: string): number {
    const slot = this.bucketSlot(id, this.bucketOf(id));
    return slot >= 0 && this.length[slot] !== REMOVED ? slot : -1;
  }

  /** A new slot for id (newest in creation order), replacing any older one. */
  add(id: string, created: number): number {
    if (this.used === this.idAt.length) this.growSlots();
    if ((this.used + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    const slot = this.used++;
    const bytes = Buffer.byteLength(id);
    if (this.idsEnd + bytes > this.ids.length) this.ids = Buffer.concat([this.ids.subarray(0, this.idsEnd), Buffer.allocUnsafe(Math.max(bytes, this.ids.length))]);
    this.ids.write(id, this.idsEnd);
    this.idAt[slot] = this.idsEnd;
    this.idLen[slot] = bytes;
    this.idsEnd += bytes;
    this.createdAt[slot] = created;
    this.length[slot] = IN_MEMORY;
    const bucket = this.bucketOf(id);
    const old = this.bucketSlot(id, bucket);
    if (old >= 0 && this.length[old] !== REMOVED) this.markRemoved(old);
    this.table[old >= 0 ? this.bucketHolding(old, bucket) : this.freeBucket(bucket)] = slot + 1;
    this.live++;
    return slot;
  }

  remove(slot: number): void {
    if (this.length[slot] !== REMOVED) this.markRemoved(slot);
  }

  isLive(slot: number): boolean {
    return this.length[slot] !== REMOVED;
  }

  id(slot: number): string {
    const at = this.idAt[slot] ?? 0;
    return this.ids.toString('utf8', at, at + (this.idLen[slot] ?? 0));
  }

  created(slot: number): number {
    return this.createdAt[slot] ?? 0;
  }

  /** The record's place in the log, or null while its JSON is only in memory. */
  loc(slot: number): { o: number; l: number } | null {
    const l = this.length[slot] ?? REMOVED;
    return l < 0 ? null : { o: this.offset[slot] ?? 0, l };
  }

  text(slot: number): string | undefined {
    return this.texts.get(slot);
  }

  /** A newer version, only in memory until setLoc: the durable location stays until then. */
  setText(slot: number, text: string): void {
    this.texts.set(slot, text);
  }

  /** The record is durable at (o, l), and its in-memory version goes. */
  setLoc(slot: number, o: number, l: number): void {
    this.texts.delete(slot);
    this.relocate(slot, o, l);
  }

  /** The durable version moved (compaction); a newer in-memory version stays. */
  relocate(slot: number, o: number, l: number): void {
    this.offset[slot] = o;
    this.length[slot] = l;
  }

  /**
   * The durable state as bytes for a checkpoint: slots never yet on disk count as removed, so
   * the checkpoint holds only what the log up to this point holds.
   */
  toBuffers(): { meta: IndexMeta; parts: Buffer[] } {
    const n = this.used;
    const length = this.length.slice(0, n).map((l) => (l === IN_MEMORY ? REMOVED : l));
    const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const parts = [
      bytes(this.idAt.subarray(0, n)), bytes(this.offset.subarray(0, n)), bytes(length), bytes(this.createdAt.subarray(0, n)),
      bytes(this.idLen.subarray(0, n)), bytes(this.table), this.ids.subarray(0, this.idsEnd),
    ];
    return { meta: { used: n, idsEnd: this.idsEnd, tableLength: this.table.length }, parts };
  }

  /** Rebuilds an index from toBuffers' bytes (as one buffer, from `at`); returns it and where its bytes end. */
  static fromBuffer(meta: IndexMeta, buf: Buffer, at: number): { index: RecordIndex; end: number } {
    const { used: n, idsEnd, tableLength } = meta;
    const take = (len: number): ArrayBuffer => {
      const ab = new ArrayBuffer(len);
      buf.copy(Buffer.from(ab), 0, at, at + len);
      at += len;
      return ab;
    };
    const index = new RecordIndex();
    const capacity = Math.max(1024, n);
    index.idAt = grown(new Uint32Array(take(n * 4)), capacity);
    index.offset = grown(new Float64Array(take(n * 8)), capacity);
    index.length = grown(new Int32Array(take(n * 4)), capacity);
    index.createdAt = grown(new Float64Array(take(n * 8)), capacity);
    index.idLen = grown(new Uint16Array(take(n * 2)), capacity);
    index.table = new Int32Array(take(tableLength * 4));
    index.ids = Buffer.allocUnsafe(Math.max(idsEnd * 2, 64 * 1024));
    buf.copy(index.ids, 0, at, at + idsEnd);
    at += idsEnd;
    index.idsEnd = idsEnd;
    index.used = n;
    index.live = index.length.subarray(0, n).reduce((sum, l) => sum + (l === REMOVED ? 0 : 1), 0);
    return { index, end: at };
  }

  private markRemoved(slot: number): void {
    this.length[slot] = REMOVED;
    this.texts.delete(slot);
    this.live--;
  }

  private bucketOf(id: string): number {
    return fnv1a(id) & (this.table.length - 1);
  }

  /** The slot (live or removed) whose id is `id`, probing from `bucket`, or -1. */
  private bucketSlot(id: string, bucket: number): number {
    const mask = this.table.length - 1;
    for (let b = bucket; ; b = (b + 1) & mask) {
      const entry = this.table[b] ?? 0;
      if (entry === 0) return -1;
      if (this.holds(entry - 1, id)) return entry - 1;
    }
  }

  /**
   * Whether slot's id is id, comparing bytes in place: equal byte and character counts mean an
   * ASCII id (every id the emulator mints); any other is decoded and compared.
   */
  private holds(slot: number, id: string): boolean {
    const len = this.idLen[slot] ?? 0;
    if (len !== id.length) return len > id.length && this.id(slot) === id;
    const at = this.idAt[slot] ?? 0;
    for (let i = 0; i < len; i++) if (this.ids[at + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  private bucketHolding(slot: number, bucket: number): number {
    const mask = this.table.length - 1;
    let b = bucket;
    while (this.table[b] !== slot + 1) b = (b + 1) & mask;
    return b;
  }

  private freeBucket(bucket: number): number {
    const mask = this.table.length - 1;
    let b = bucket;
    while (this.table[b] !== 0) b = (b + 1) & mask;
    return b;
  }

  private growSlots(): void {
    const size = this.idAt.length * 2;
    this.idAt = grown(this.idAt, size);
    this.idLen = grown(this.idLen, size);
    this.offset = grown(this.offset, size);
    this.length = grown(this.length, size);
    this.createdAt = grown(this.createdAt, size);
  }

  /** Rebuilds the table with the newest slot of every id (older ones were replaced when added). */
  private rehash(size: number): void {
    const old = this.table;
    this.table = new Int32Array(size);
    for (const entry of old) {
      if (entry === 0) continue;
      const id = this.id(entry - 1);
      this.table[this.freeBucket(this.bucketOf(id))] = entry;
    }
  }
}
