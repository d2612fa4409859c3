import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLimiter, waitForAny } from '../../src/core/concurrency.js';

describe('waitForAny (the delivery worker\'s pause)', () => {
  test('a loop woken often by the pending work leaves no listener on its long-lived signal, and ends on abort', async () => {
    const stopping = new AbortController();
    const pending = new Set<Promise<unknown>>();
    for (let i = 0; i < 30; i++) {
      const work: Promise<unknown> = sleep(5 * (i + 1)).then(() => pending.delete(work));
      pending.add(work);
    }
    let wakes = 0;
    while (pending.size > 0) {
      await waitForAny(10_000, stopping.signal, pending);
      wakes += 1;
      assert.ok(getEventListeners(stopping.signal, 'abort').length === 0, `${getEventListeners(stopping.signal, 'abort').length} listeners after wake ${wakes}`);
    }
    assert.ok(wakes >= 10, `woken ${wakes} times`);
    const started = Date.now();
    setTimeout(() => stopping.abort(), 20);
    await waitForAny(10_000, stopping.signal, []);
    assert.ok(Date.now() - started < 5_000, 'an abort ends the wait');
  });
});

describe('createLimiter', () => {
  test('at most the limit run, the rest in arrival order; full says whether a task would wait', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const task = (n: number) => limit(async () => {
      running += 1;
      most = Math.max(most, running);
      order.push(n);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
    });
    const first = [task(1), task(2), task(3)];
    await sleep(1);
    assert.equal(limit.full, true);
    assert.deepEqual(order, [1, 2]);
    gates.shift()!();
    const late = task(4);
    await sleep(1);
    assert.deepEqual(order, [1, 2, 3]);
    while (gates.length > 0) {
      gates.shift()!();
      await sleep(1);
    }
    await Promise.all([...first, late]);
    assert.deepEqual(order, [1, 2, 3, 4]);
    assert.equal(most, 2);
    assert.equal(limit.full, false);
  });
});
