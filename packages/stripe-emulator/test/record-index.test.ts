import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RecordIndex } from '../src/record-index.js';

// Few distinct ids, so adds, removals and re-adds of one id collide often; one non-ASCII id.
const ids = fc.constantFrom('pi_a', 'pi_b', 'pi_c', 'evt_1', 'evt_12', 'cus_ü', 'x'.repeat(40), ...Array.from({ length: 30 }, (_, i) => `ch_${i}`));
const ops = fc.array(fc.oneof(
  fc.record({ op: fc.constant('add' as const), id: ids, t: fc.integer({ min: 0, max: 2e9 }) }),
  fc.record({ op: fc.constant('remove' as const), id: ids }),
  fc.record({ op: fc.constant('place' as const), id: ids, o: fc.integer({ min: 0, max: 2 ** 40 }), l: fc.integer({ min: 1, max: 1e6 }) }),
), { maxLength: 400 });

describe('stripe emulator: the compact record index', () => {
  test('finds, orders and places records exactly as a Map in creation order would', () => {
    fc.assert(fc.property(ops, (script) => {
      const index = new RecordIndex();
      const model = new Map<string, { t: number; loc: { o: number; l: number } | null }>();
      for (const step of script) {
        const slot = index.find(step.id);
        if (step.op === 'add') {
          if (slot < 0) index.add(step.id, step.t);
          if (!model.has(step.id)) model.set(step.id, { t: step.t, loc: null });
        } else if (step.op === 'remove') {
          if (slot >= 0) index.remove(slot);
          model.delete(step.id);
        } else if (slot >= 0) {
          index.setLoc(slot, step.o, step.l);
          const m = model.get(step.id);
          if (m) m.loc = { o: step.o, l: step.l };
        }
      }
      const live: Array<{ id: string; t: number; loc: { o: number; l: number } | null }> = [];
      for (let s = 0; s < index.slots; s++) if (index.isLive(s)) live.push({ id: index.id(s), t: index.created(s), loc: index.loc(s) });
      assert.deepEqual(live, [...model].map(([id, v]) => ({ id, ...v })));
      assert.equal(index.size, model.size);
      for (const id of ['pi_a', 'cus_ü', 'never']) assert.equal(index.find(id) >= 0, model.has(id));
    }), { numRuns: 300 });
  });

  test('holds 100,000 records and finds every one of them', () => {
    const index = new RecordIndex();
    for (let i = 0; i < 100_000; i++) index.setLoc(index.add(`evt_${i.toString(36)}`, i), i * 10, 10);
    for (let i = 0; i < 100_000; i += 997) assert.deepEqual(index.loc(index.find(`evt_${i.toString(36)}`)), { o: i * 10, l: 10 });
    assert.equal(index.find('evt_missing'), -1);
    assert.equal(index.size, 100_000);
  });
});
