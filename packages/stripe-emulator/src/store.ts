import type Stripe from 'stripe';
import type { Checkpoint } from './checkpoint.js';
import { LogFile, type Loc, type LogRecord, type ScannedRecord } from './log-file.js';
import { LoggedMap } from './logged-map.js';
import { RecordIndex } from './record-index.js';
import { checkpointContent, compactLog, restoreCheckpoint } from './store-files.js';
import { StoredMap } from './stored-map.js';
import type { Delivery } from './webhooks.js';

/** Every stored object kind, typed with the SDK's own definitions so drift from the pinned API version fails to compile. */
export interface Collections {
  customer: Stripe.Customer;
  card: Stripe.Card;
  token: Stripe.Token;
  payment_method: Stripe.PaymentMethod;
  setup_intent: Stripe.SetupIntent;
  payment_intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  refund: Stripe.Refund;
  event: Stripe.EventBase;
  webhook_endpoint: Stripe.WebhookEndpoint;
  dispute: Stripe.Dispute;
}
export type Kind = keyof Collections;
export const KINDS: readonly Kind[] = [
  'customer', 'card', 'token', 'payment_method', 'setup_intent', 'payment_intent', 'charge', 'refund', 'event', 'webhook_endpoint', 'dispute',
];

/**
 * What a card instrument (pm_, card_, tok_) does when used. Kept beside the object so the
 * full card number is never stored: only the test card's key.
 */
export interface InstrumentMeta {
  testCard: string;
  /** Set up for future use (SetupIntent or setup_future_usage): 3155-style cards then skip 3-D Secure. */
  setUp: boolean;
  /**
   * Used on a payment without a customer, or detached: Stripe refuses to use such a
   * PaymentMethod again.
   */
  consumed?: boolean;
}

/** Pending 3-D Secure challenge for an intent (what to do when it completes). */
export interface ChallengeMeta {
  returnUrl: string | null;
  offSession: boolean;
}

/** An object handed out since the last commit, with the JSON it had (null: new). */
interface Checkout {
  kind: string;
  id: string;
  obj: object;
  text: string | null;
}

/** Kinds kept whole in memory (small maps); every other kind is read from the log when used. */
const IN_MEMORY_KINDS = new Set(['x:webhook_secret', 'x:deleted_customer', 'x:delivery', 'x:setting']);

/**
 * The object store of record. Objects live in the log on disk (or, without a directory, as JSON
 * in memory); memory holds only a compact index per kind (id → location, creation order for lists).
 * Handlers get fresh copies and change them in place; `commit()` writes every copy whose JSON
 * changed, as one all-or-nothing commit, and resolves once it is fsync'd.
 */
export class Store {
  private indexes = new Map<string, RecordIndex>();
  private checkedOut = new Map<string, Checkout>();
  private removed: LogRecord[] = [];
  /** Records staged already serialised (putSerialized), in order. */
  private staged: LogRecord[] = [];
  private durable: Promise<void> = Promise.resolve();
  /** What a card instrument does (test card key, set up, consumed): read from the log like objects. */
  readonly instruments = new StoredMap<InstrumentMeta>(this, 'x:instrument');
  readonly challenges = new StoredMap<ChallengeMeta>(this, 'x:challenge');
  readonly webhookSecrets = new LoggedMap<string>('x:webhook_secret');
  readonly deletedCustomers = new LoggedMap<true>('x:deleted_customer');
  readonly deliveries = new LoggedMap<Delivery>('x:delivery');
  readonly settings = new LoggedMap<number>('x:setting');
  private readonly maps = [this.webhookSecrets, this.deletedCustomers, this.deliveries, this.settings];
  private readonly log: LogFile | null;

  constructor(dir?: string) {
    const keepText = (kind: string): boolean => IN_MEMORY_KINDS.has(kind);
    this.log = dir ? LogFile.open(dir, keepText, (r, log) => this.load(r, log), (cp, log) => this.restore(cp, log)) : null;
    if (this.log) {
      this.log.compactor = () => compactLog(this.indexes, this.maps, this.log);
      this.log.checkpointer = () => checkpointContent(this.indexes, this.maps, this.log);
    }
  }

  private load(r: ScannedRecord, log: LogFile): void {
    const map = this.maps.find((m) => m.kind === r.kind);
    if (map) return map.load(r.id, r.text === null ? undefined : JSON.parse(r.text));
    const index = this.indexOf(r.kind);
    const old = index.find(r.id);
    const oldLoc = old >= 0 ? index.loc(old) : null;
    if (oldLoc) log.deadBytes += oldLoc.l;
    if (!r.loc) {
      if (old >= 0) index.remove(old);
      return;
    }
    const slot = old >= 0 ? old : index.add(r.id, r.t);
    index.setLoc(slot, r.loc.o, r.loc.l);
    log.liveBytes += r.loc.l;
  }

  private restore(cp: Checkpoint, log: LogFile): boolean {
    const indexes = restoreCheckpoint(cp, this.maps, log);
    if (indexes) this.indexes = indexes;
    return indexes !== null;
  }

  private indexOf(kind: string): RecordIndex {
    let index = this.indexes.get(kind);
    if (!index) this.indexes.set(kind, (index = new RecordIndex()));
    return index;
  }

  private textOf(index: RecordIndex, slot: number): string {
    const text = index.text(slot);
    if (text !== undefined) return text;
    const loc = index.loc(slot);
    if (!loc || !this.log) throw new Error('stored record without text or location');
    return this.log.read(loc);
  }

  /** The checked-out copy of the record in `slot`, reading it if needed. */
  private checkOut<T>(kind: string, id: string, index: RecordIndex, slot: number): T {
    const key = `${kind}\u0000${id}`;
    const out = this.checkedOut.get(key);
    if (out) return out.obj as T;
    const text = this.textOf(index, slot);
    const obj = JSON.parse(text) as object;
    this.checkedOut.set(key, { kind, id, obj, text });
    return obj as T;
  }

  /** A record of any kind, as a copy checked out until the next commit. */
  getRecord<T extends object>(kind: string, id: string): T | undefined {
    const index = this.indexes.get(kind);
    const slot = index ? index.find(id) : -1;
    if (!index || slot < 0) return undefined;
    return this.checkOut<T>(kind, id, index, slot);
  }

  has(kind: string, id: string): boolean {
    return (this.indexes.get(kind)?.find(id) ?? -1) >= 0;
  }

  putRecord<T extends { id: string }>(kind: string, obj: T, created: number): T {
    return this.putRecordAs(kind, obj.id, obj, created);
  }

  /** Stores obj under id (new records become the newest of their kind). */
  putRecordAs<T extends object>(kind: string, id: string, obj: T, created: number): T {
    const index = this.indexOf(kind);
    if (index.find(id) < 0) index.add(id, created);
    this.checkedOut.set(`${kind}\u0000${id}`, { kind, id, obj, text: null });
    return obj;
  }

  /**
   * Stores a record given as its JSON, without checking it out: for records written once and
   * never changed in the request that makes them (events), this spares a copy and a re-serialisation.
   */
  putSerialized(kind: string, id: string, created: number, text: string): void {
    const index = this.indexOf(kind);
    const found = index.find(id);
    index.setText(found >= 0 ? found : index.add(id, created), text);
    this.checkedOut.delete(`${kind}\u0000${id}`);
    this.staged.push({ kind, id, t: created, text });
  }

  removeRecord(kind: string, id: string): void {
    const index = this.indexes.get(kind);
    const slot = index ? index.find(id) : -1;
    if (!index || slot < 0) return;
    const loc = index.loc(slot);
    if (loc && this.log) this.log.deadBytes += loc.l;
    this.removed.push({ kind, id, t: index.created(slot), text: null });
    index.remove(slot);
    this.checkedOut.delete(`${kind}\u0000${id}`);
  }

  /** Live records of a kind, oldest first, with their creation time (for expiry sweeps). */
  *oldest(kind: string): Generator<{ id: string; t: number }> {
    const index = this.indexes.get(kind);
    if (!index) return;
    for (let slot = 0; slot < index.slots; slot++) {
      if (index.isLive(slot)) yield { id: index.id(slot), t: index.created(slot) };
    }
  }

  get<K extends Kind>(kind: K, id: string): Collections[K] | undefined {
    return this.getRecord<Collections[K]>(kind, id);
  }

  insert<K extends Kind>(kind: K, obj: Collections[K]): Collections[K] {
    return this.putRecord(kind, obj, 'created' in obj && typeof obj.created === 'number' ? obj.created : 0);
  }

  remove(kind: Kind, id: string): void {
    this.removeRecord(kind, id);
  }

  /** Newest first, lazily: only what the caller takes is read from disk and checked out. */
  *list<K extends Kind>(kind: K, filter?: (obj: Collections[K]) => boolean): Generator<Collections[K]> {
    const index = this.indexes.get(kind);
    if (!index) return;
    for (let slot = index.slots - 1; slot >= 0; slot--) {
      if (!index.isLive(slot)) continue;
      const id = index.id(slot);
      const key = `${kind}\u0000${id}`;
      const out = this.checkedOut.get(key);
      const text = out ? null : this.textOf(index, slot);
      const obj = (out ? out.obj : JSON.parse(text ?? 'null')) as Collections[K];
      if (filter && !filter(obj)) continue;
      if (!out) this.checkedOut.set(key, { kind, id, obj, text });
      yield obj;
    }
  }

  /** How much of the log the last open read (0 when a checkpoint covered all of it). */
  get scannedBytes(): number {
    return this.log?.scannedBytes ?? 0;
  }

  /** Nothing stored at all (a fresh directory). */
  isEmpty(): boolean {
    for (const index of this.indexes.values()) if (index.size > 0) return false;
    return this.maps.every((m) => m.size === 0);
  }

  count(kind: string): number {
    return this.indexes.get(kind)?.size ?? 0;
  }

  /** Forgets everything, on disk too (after what was queued before). */
  clear(): Promise<void> {
    this.indexes.clear();
    this.checkedOut.clear();
    this.removed = [];
    this.staged = [];
    for (const m of this.maps) m.reset();
    if (this.log) this.durable = this.log.truncate();
    return this.durable;
  }

  /** The changes since the last commit: checked-out copies whose JSON changed, removals, map changes. */
  private changes(): LogRecord[] {
    const records: LogRecord[] = this.staged;
    this.staged = [];
    for (const c of this.checkedOut.values()) {
      const index = this.indexes.get(c.kind);
      const slot = index ? index.find(c.id) : -1;
      if (!index || slot < 0) continue;
      const text = JSON.stringify(c.obj);
      if (text === c.text) continue;
      index.setText(slot, text);
      records.push({ kind: c.kind, id: c.id, t: index.created(slot), text });
    }
    this.checkedOut.clear();
    records.push(...this.removed);
    this.removed = [];
    for (const m of this.maps) records.push(...m.drain());
    return records;
  }

  /** Writes what changed; resolves when it, and every earlier commit, is on disk. */
  commit(): Promise<void> {
    const records = this.changes();
    if (!this.log || records.length === 0) return this.log ? this.log.settled() : Promise.resolve();
    this.durable = this.log.append(records, (locs) => this.written(records, locs));
    return this.durable;
  }

  /** Records now on disk point at the log, unless a newer version was staged meanwhile. */
  private written(records: LogRecord[], locs: Array<Loc | null>): void {
    records.forEach((r, i) => {
      const index = this.indexes.get(r.kind);
      const slot = index ? index.find(r.id) : -1;
      const loc = locs[i];
      if (!index || slot < 0 || !loc || index.text(slot) !== r.text) return;
      const replaced = index.loc(slot);
      if (replaced && this.log) this.log.deadBytes += replaced.l;
      index.setLoc(slot, loc.o, loc.l);
    });
  }

  close(): void {
    this.log?.close();
  }
}
