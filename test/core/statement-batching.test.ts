import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBatcher } from '../../src/db/batching.js';

/** A statement that takes numbers and answers their doubles, recording every batch it was given. */
function doubling(fail: (inputs: number[]) => Error | undefined = () => undefined) {
  const batches: number[][] = [];
  const release: Array<() => void> = [];
  const run = async (inputs: number[]) => {
    batches.push(inputs);
    await new Promise<void>((resolve) => release.push(resolve));
    const error = fail(inputs);
    if (error) throw error;
    return inputs.map((n) => n * 2);
  };
  /** Lets every batch out so far answer, then waits for the answers to be handed out. */
  const answerAll = async () => {
    while (release.length > 0) release.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { run, batches, answerAll };
}

describe('statements batched across concurrent calls (group commit)', () => {
  test('calls made in one turn of the event loop go together; calls made while a batch is out go in the next, each answered its own', async () => {
    const statement = doubling();
    const call = createBatcher(statement.run, { inFlight: 1, maxSize: 64 });
    const first = [call(1), call(2)];
    assert.deepEqual(statement.batches, [], 'sent at the end of the turn, not at the call');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(statement.batches, [[1, 2]], 'nothing waits on a timer');
    const rest = [call(3), call(4), call(5)];
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(statement.batches, [[1, 2]], 'one batch out at a time');
    await statement.answerAll();
    assert.deepEqual(statement.batches, [[1, 2], [3, 4, 5]]);
    await statement.answerAll();
    assert.deepEqual(await Promise.all([...first, ...rest]), [2, 4, 6, 8, 10]);
  });

  test('a batch carries at most maxSize calls; the rest follow', async () => {
    const statement = doubling();
    const call = createBatcher(statement.run, { inFlight: 1, maxSize: 2 });
    const calls = [1, 2, 3, 4, 5, 6].map(call);
    for (let i = 0; i < 4; i++) await statement.answerAll();
    assert.deepEqual(statement.batches, [[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(await Promise.all(calls), [2, 4, 6, 8, 10, 12]);
  });

  test('a batch that fails is run again one call at a time: only the bad input fails its caller', async () => {
    const statement = doubling((inputs) => (inputs.includes(13) ? new Error('check constraint violated by 13') : undefined));
    const call = createBatcher(statement.run, { inFlight: 1, maxSize: 64 });
    const first = call(1);
    await new Promise((resolve) => setImmediate(resolve));
    const batched = [call(12), call(13), call(14)].map((p) => p.then((value) => ({ value }), (error: Error) => ({ error: error.message })));
    for (let i = 0; i < 3; i++) await statement.answerAll();
    await first;
    assert.deepEqual(await Promise.all(batched), [{ value: 24 }, { error: 'check constraint violated by 13' }, { value: 28 }]);
    assert.deepEqual(statement.batches, [[1], [12, 13, 14], [12], [13], [14]]);
  });

  test('when the database cannot be reached every call of the batch fails at once, without running each again', async () => {
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const statement = doubling((inputs) => (inputs.length > 1 ? unreachable : undefined));
    const call = createBatcher(statement.run, { inFlight: 1, maxSize: 64 });
    const first = call(1);
    await new Promise((resolve) => setImmediate(resolve));
    const batched = [call(2), call(3)].map((p) => p.then(() => 'answered', (error: Error) => error.message));
    for (let i = 0; i < 2; i++) await statement.answerAll();
    await first;
    assert.deepEqual(await Promise.all(batched), [unreachable.message, unreachable.message]);
    assert.deepEqual(statement.batches, [[1], [2, 3]]);
  });
});
