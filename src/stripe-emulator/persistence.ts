import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from './context.js';
import type { IdempotencyRecord } from './idempotency.js';
import type { StoreSnapshot } from './store.js';
import type { Delivery } from './webhooks.js';

export const STATE_FILE = 'stripe-emulator.json';

export interface PersistedState {
  version: 1;
  clockOffset: number;
  store: StoreSnapshot;
  idempotency: IdempotencyRecord[];
  deliveries: Delivery[];
}

function isPersistedState(v: unknown): v is PersistedState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<PersistedState>;
  return s.version === 1 && typeof s.clockOffset === 'number' && typeof s.store === 'object' && s.store !== null
    && Array.isArray(s.idempotency) && Array.isArray(s.deliveries);
}

export async function loadState(dataDir: string, log: Logger): Promise<PersistedState | null> {
  const file = join(dataDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPersistedState(parsed)) return parsed;
  } catch {
    // fall through: an unreadable file is reported, not fatal
  }
  log('warn', 'ignoring unreadable emulator state file', { file });
  return null;
}

/**
 * Coalesced snapshot writes: changes mark the state dirty and one write (tmp file, then
 * rename, so a crash never leaves half a file) follows after a delay that grows with
 * the cost of the last write, keeping hot paths cheap when the state is large.
 */
export class Persistence {
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private lastWriteMs = 0;
  private readonly file: string;

  constructor(private readonly dataDir: string, private readonly collect: () => PersistedState, private readonly log: Logger) {
    this.file = join(dataDir, STATE_FILE);
  }

  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    // At most ~5% of the time goes to snapshots, however large the state grows.
    const delay = Math.min(10_000, Math.max(100, this.lastWriteMs * 20));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = this.write();
    await this.writing;
  }

  private async write(): Promise<void> {
    const started = Date.now();
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await mkdir(this.dataDir, { recursive: true });
      await writeFile(tmp, JSON.stringify(this.collect()));
      await rename(tmp, this.file);
    } catch (err) {
      this.dirty = true;
      this.log('error', 'could not persist emulator state', { file: this.file, error: err instanceof Error ? err.message : String(err) });
    }
    this.lastWriteMs = Date.now() - started;
  }
}
