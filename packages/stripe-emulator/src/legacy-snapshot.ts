import { closeSync, existsSync, fsyncSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from './context.js';
import { IDEMPOTENCY_KIND, idempotencyRecordId, requestDigest, type IdempotencyRecord } from './idempotency.js';
import { KINDS, type ChallengeMeta, type InstrumentMeta, type Store } from './store.js';
import type { Delivery } from './webhooks.js';

/** The whole-state JSON snapshot that versions before the log wrote (and rewrote) every few seconds. */
export const LEGACY_STATE_FILE = 'stripe-emulator.json';
export const CLOCK_OFFSET = 'clock_offset_seconds';

interface LegacyState {
  version: 1;
  clockOffset: number;
  store: {
    objects: Record<string, Array<{ id: string; created?: number }>>;
    instruments?: Array<[string, InstrumentMeta]>;
    challenges?: Array<[string, ChallengeMeta]>;
    webhookSecrets?: Array<[string, string]>;
    deletedCustomers?: string[];
  };
  /** `fingerprint` was the canonical request itself (card numbers included); it is kept as a digest. */
  idempotency: IdempotencyRecord[];
  deliveries: Delivery[];
}

function isLegacyState(v: unknown): v is LegacyState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<LegacyState>;
  return s.version === 1 && typeof s.clockOffset === 'number' && typeof s.store === 'object' && s.store !== null
    && typeof s.store.objects === 'object' && Array.isArray(s.idempotency) && Array.isArray(s.deliveries);
}

/**
 * Where an earlier version left its snapshot: in the data directory itself (the standalone
 * `--data-dir`), or, when the directory is named `stripe-emulator`, beside it (embedders such as
 * paybridge kept `DATA_DIR/stripe-emulator.json` before moving the state to `DATA_DIR/stripe-emulator/`).
 */
export function legacyStateFiles(dataDir: string): string[] {
  const files = [join(dataDir, LEGACY_STATE_FILE)];
  if (basename(dataDir) === 'stripe-emulator') files.push(join(dirname(dataDir), LEGACY_STATE_FILE));
  return files.filter((f) => existsSync(f));
}

/** Deletes card fields (`number`, `cvc`) wherever they are, so none reaches the log. */
function withoutCardData<T>(value: T): T {
  if (Array.isArray(value)) value.forEach(withoutCardData);
  else if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    delete obj.number;
    delete obj.cvc;
    Object.values(obj).forEach(withoutCardData);
  }
  return value;
}

function importState(store: Store, state: LegacyState): number {
  let count = 0;
  for (const kind of KINDS) {
    for (const obj of state.store.objects[kind] ?? []) {
      store.putRecord(kind, withoutCardData(obj), typeof obj.created === 'number' ? obj.created : 0);
      count++;
    }
  }
  for (const [id, meta] of state.store.instruments ?? []) store.instruments.set(id, { testCard: meta.testCard, setUp: meta.setUp, ...(meta.consumed ? { consumed: true } : {}) });
  for (const [id, challenge] of state.store.challenges ?? []) store.challenges.set(id, challenge);
  for (const [id, secret] of state.store.webhookSecrets ?? []) store.webhookSecrets.set(id, secret);
  for (const id of state.store.deletedCustomers ?? []) store.deletedCustomers.set(id, true);
  for (const rec of state.idempotency) {
    if (!rec.response) continue;
    const id = idempotencyRecordId(rec.scope, rec.key);
    store.putRecord(IDEMPOTENCY_KIND, { id, ...rec, fingerprint: requestDigest(rec.fingerprint) }, rec.createdAt);
  }
  for (const d of state.deliveries) store.deliveries.set(d.id, d);
  if (state.clockOffset) store.settings.set(CLOCK_OFFSET, state.clockOffset);
  return count;
}

function removeDurably(file: string): void {
  unlinkSync(file);
  const dir = openSync(dirname(file), 'r');
  fsyncSync(dir);
  closeSync(dir);
}

/**
 * Moves an earlier version's JSON snapshot into the log on first start: imported as one commit,
 * fsync'd, and only then the snapshot (which held card numbers and CVCs in its idempotency
 * records) is deleted. A snapshot found beside a log that already has state is a migration that
 * crashed before the delete: the log wins and the snapshot is deleted.
 */
export async function migrateLegacySnapshot(store: Store, dataDir: string, log: Logger): Promise<void> {
  for (const file of legacyStateFiles(dataDir)) {
    if (store.isEmpty()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        parsed = null;
      }
      if (!isLegacyState(parsed)) {
        log('warn', 'leaving an unreadable emulator snapshot alone', { file });
        continue;
      }
      const objects = importState(store, parsed);
      await store.commit();
      log('info', 'migrated the emulator snapshot into the log', { file, objects });
    } else {
      log('warn', 'deleting an emulator snapshot already migrated into the log', { file });
    }
    removeDurably(file);
  }
}
