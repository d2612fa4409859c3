import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createDatabaseAttemptCounter } from '../../src/adapters/attempt-counter.database.js';
import { openDatabase } from '../../src/db/client.js';
import { databaseUrl, useTestApp } from '../helpers/test-app.js';

// The login and registration limits' counters on PostgreSQL without Redis: shared by every instance on the database.
const t = useTestApp();
const key = () => `login:account:${randomUUID()}`;

describe('attempt counters in the database', () => {
  test('count within a window, say the seconds left, take back only what is there, and start afresh once the window lapsed', async () => {
    const counter = createDatabaseAttemptCounter(t.database.db);
    try {
      const k = key();
      assert.deepEqual(await counter.peek(k), { count: 0, resetInSeconds: 0 });
      for (let i = 1; i <= 3; i++) assert.equal((await counter.increment(k, 60)).count, i);
      const peeked = await counter.peek(k);
      assert.equal(peeked.count, 3);
      assert.ok(peeked.resetInSeconds > 55 && peeked.resetInSeconds <= 60, `${peeked.resetInSeconds} s left`);
      await counter.decrement(k);
      assert.equal((await counter.peek(k)).count, 2);
      const short = key();
      await counter.decrement(short);
      assert.equal((await counter.peek(short)).count, 0, 'no window, nothing to take back');
      await counter.increment(short, 1);
      await counter.increment(short, 1);
      await sleep(1100);
      assert.equal((await counter.peek(short)).count, 0, 'the window lapsed');
      assert.equal((await counter.increment(short, 1)).count, 1, 'and starts afresh');
    } finally {
      await counter.close();
    }
  });

  test('two instances share one count, concurrent attempts included; a restart keeps it', async () => {
    // On PostgreSQL the second instance has connections of its own; PGlite serves one process.
    const other = databaseUrl ? await openDatabase({ databaseUrl }) : undefined;
    const first = createDatabaseAttemptCounter(t.database.db);
    const second = createDatabaseAttemptCounter(other?.db ?? t.database.db);
    try {
      const k = key();
      const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? first : second).increment(k, 600)));
      assert.deepEqual(counts.map((c) => c.count).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1), 'each attempt counted once');
      await first.close();
      const restarted = createDatabaseAttemptCounter(t.database.db);
      assert.equal((await restarted.peek(k)).count, 40, 'a new process sees what the old ones counted');
      await restarted.close();
    } finally {
      await first.close();
      await second.close();
      await other?.close();
    }
  });

  test('the sweep deletes lapsed windows and keeps open ones', async () => {
    const counter = createDatabaseAttemptCounter(t.database.db);
    try {
      const [open, lapsed] = [key(), key()];
      await counter.increment(open, 600);
      await counter.increment(lapsed, 600);
      await t.database.db.execute(sql`update attempt_windows set reset_at = now() - interval '1 second' where key = ${lapsed}`);
      assert.ok((await counter.sweep()) >= 1);
      const rows = (await t.database.db.execute(sql`select key from attempt_windows where key in (${open}, ${lapsed})`)) as unknown as { rows: Array<{ key: string }> };
      assert.deepEqual(rows.rows.map((r) => r.key), [open]);
    } finally {
      await counter.close();
    }
  });
});
