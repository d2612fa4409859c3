import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../db/client.js';
import { AppError, IdempotencyConflictError, IdempotencyInProgressError, NotFoundError, PaymentDeclinedError } from '../errors.js';
import { newId } from '../ids.js';
import { createOperationRepository, type NewOperation, type OperationRecord, type StoredAnswer } from './operation.repository.js';

/** What the holder's result becomes: stored as the answer, or the operation is withdrawn, or left for a retry. */
export type ErrorVerdict = { store: StoredAnswer } | 'withdraw' | 'retry';

export interface OperationSpec<T> {
  paymentId: string;
  /** create | confirm | capture | cancel | refund */
  kind: string;
  /** Two requests with the same attempt key are the same attempt. */
  attemptKey: string;
  /** The same attempt key with another request hash is a conflict (409). */
  requestHash: string;
  /** Calls the provider, outside any transaction, always with the operation's own idempotency key. */
  perform(call: { stripeIdempotencyKey: string; resumed: boolean }): Promise<T>;
  /** The answer stored and replayed for a result. */
  answer(result: T): StoredAnswer;
  /** Domain writes, in the transaction that stores the answer under the holder's lease. */
  commit?(tx: Database, result: T): Promise<void>;
  /**
   * Instead of that transaction: stores the answer and the result's domain writes at once (one
   * statement), if `token` still holds the operation; false when the lease was lost, nothing written.
   * It may also throw, having withdrawn the operation, when the result must not stand.
   */
  store?(operationId: string, token: string, answer: StoredAnswer, result: T): Promise<boolean>;
  /** What an error of perform means. Default: 'retry' (the outcome is unknown; keep the key). */
  onError?(error: unknown): ErrorVerdict;
  /** Withdraws the operation (default: deletes its row), under the holder's lease, in a transaction. */
  withdraw?(tx: Database, operationId: string, token: string): Promise<boolean>;
  /** Another holder stored the answer (or withdrew the operation): undo what our result left at the provider, if it differs. */
  compensate?(result: T, winner: StoredAnswer | undefined): Promise<void>;
}

export interface OperationDeps {
  db: Database;
  leaseSeconds: number;
  /** How long a concurrent duplicate waits for the holder's answer before a 409 IDEMPOTENCY_KEY_IN_USE. */
  maxWaitMs: number;
}

/** An error as a stored answer, so that a repeat of the attempt gets the same error. */
export function errorAnswer(error: AppError): StoredAnswer {
  const declined = error instanceof PaymentDeclinedError ? { declineCode: error.declineCode, paymentIntentId: error.paymentIntentId } : {};
  return { status: error.statusCode, body: JSON.stringify({ code: error.code, message: error.message, details: error.details, ...declined }) };
}

/** A stored answer as the caller sees it: the body of a success, or the error thrown again. */
export function replayAnswer(answer: StoredAnswer): string {
  if (answer.status < 400) return answer.body;
  const stored = JSON.parse(answer.body) as { code: string; message: string; details?: AppError['details']; declineCode?: string; paymentIntentId?: string };
  if (stored.code === PaymentDeclinedError.code) throw new PaymentDeclinedError(stored.message, stored.declineCode ?? 'card_declined', stored.paymentIntentId);
  throw new AppError(stored.code, answer.status, stored.message, stored.details);
}

const answerOf = (row: OperationRecord): StoredAnswer | undefined =>
  row.state === 'done' && row.responseStatus !== null && row.responseBody !== null ? { status: row.responseStatus, body: row.responseBody } : undefined;

/**
 * The one primitive of every money operation: the row first, with a Stripe idempotency key fixed
 * in it before the first call; the provider called outside any transaction; the answer stored in
 * the same transaction as the domain change, under a fenced lease; and replayed to every repeat.
 */
export function createOperations(deps: OperationDeps) {
  const operations = createOperationRepository(deps.db);

  /** A new operation's row, with its fixed Stripe idempotency key. */
  function newOperation(spec: Pick<OperationSpec<unknown>, 'paymentId' | 'kind' | 'attemptKey' | 'requestHash'>): NewOperation {
    const id = newId();
    return { id, paymentId: spec.paymentId, kind: spec.kind, attemptKey: spec.attemptKey, requestHash: spec.requestHash, stripeIdempotencyKey: `paybridge-${spec.kind}-${id}` };
  }

  async function run<T>(spec: OperationSpec<T>): Promise<StoredAnswer> {
    const token = randomUUID();
    const inserted = await operations.insert(newOperation(spec), token, deps.leaseSeconds);
    if (inserted) return execute(spec, inserted, token);
    const existing = await operations.find(spec.paymentId, spec.kind, spec.attemptKey);
    if (!existing) return run(spec); // withdrawn in between: start afresh
    if (existing.requestHash !== spec.requestHash) throw new IdempotencyConflictError();
    return join(spec, existing.id);
  }

  /** Runs the operation as the holder of `token`. */
  async function execute<T>(spec: OperationSpec<T>, row: OperationRecord, token: string): Promise<StoredAnswer> {
    let result: T;
    try {
      result = await spec.perform({ stripeIdempotencyKey: row.stripeIdempotencyKey, resumed: row.attempts > 1 });
    } catch (error) {
      const verdict = spec.onError?.(error) ?? 'retry';
      if (verdict === 'retry') {
        await operations.release(row.id, token);
        // Our lease lapsed while we waited and a successor finished the operation: its answer is this attempt's answer.
        const finished = await operations.findById(row.id);
        const answer = finished && answerOf(finished);
        if (answer) return answer;
      } else if (verdict === 'withdraw') await deps.db.transaction((tx) => (spec.withdraw ?? removeRow)(tx, row.id, token));
      else return settle(spec, row.id, token, verdict.store, undefined);
      throw error;
    }
    return settle(spec, row.id, token, spec.answer(result), { result });
  }

  const removeRow = (tx: Database, id: string, token: string) => createOperationRepository(tx).remove(id, token);

  /** Stores the answer if the lease still holds; otherwise takes the row back, or yields to the holder that won. */
  async function settle<T>(spec: OperationSpec<T>, id: string, token: string, answer: StoredAnswer, outcome: { result: T } | undefined): Promise<StoredAnswer> {
    const stored = outcome && spec.store
      ? await spec.store(id, token, answer, outcome.result)
      : await deps.db.transaction(async (tx) => {
          if (!(await createOperationRepository(tx).finish(id, token, answer))) return false;
          if (outcome) await spec.commit?.(tx, outcome.result);
          return true;
        });
    if (stored) return answer;
    // Our lease lapsed. If nobody took over, our result is still this key's result: claim and store it.
    const retoken = randomUUID();
    if (await operations.claimLapsed(id, retoken, deps.leaseSeconds)) return settle(spec, id, retoken, answer, outcome);
    let winner: StoredAnswer;
    try {
      winner = await join(spec, id);
    } catch (error) {
      if (outcome && error instanceof NotFoundError) await spec.compensate?.(outcome.result, undefined);
      throw error;
    }
    if (outcome) await spec.compensate?.(outcome.result, winner);
    return winner;
  }

  /** A repeat waits for the holder's answer; if the holder died or lapsed, it finishes the job itself. */
  async function join<T>(spec: OperationSpec<T>, id: string): Promise<StoredAnswer> {
    const deadline = Date.now() + deps.maxWaitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const current = await operations.findById(id);
      if (!current) throw new NotFoundError('The operation was withdrawn; retry to start it again');
      const answer = answerOf(current);
      if (answer) return answer;
      const token = randomUUID();
      const claimed = await operations.claimLapsed(id, token, deps.leaseSeconds);
      if (claimed) return execute(spec, claimed, token);
      if (Date.now() > deadline) throw new IdempotencyInProgressError(undefined, undefined, { headers: { 'retry-after': '1' } });
      await sleep(delay);
    }
  }

  /** Finishes an operation whose holder's lease lapsed, without waiting for a live one (reconciliation). */
  async function takeOver<T>(spec: OperationSpec<T>, id: string): Promise<StoredAnswer | undefined> {
    const token = randomUUID();
    const claimed = await operations.claimLapsed(id, token, deps.leaseSeconds);
    return claimed ? execute(spec, claimed, token) : undefined;
  }

  /** The stored answer of an attempt, if it finished. */
  async function storedAnswer(paymentId: string, kind: string, attemptKey: string): Promise<StoredAnswer | undefined> {
    const row = await operations.find(paymentId, kind, attemptKey);
    return row ? answerOf(row) : undefined;
  }

  return { newOperation, run, execute, join, takeOver, storedAnswer, repository: operations };
}

export type Operations = ReturnType<typeof createOperations>;
