/**
 * Fixed-window attempt counters the abuse limits need, shared between instances when Redis is
 * configured. The core names what it needs; src/adapters/ provides it (memory, Redis). Every
 * implementation keeps its state bounded: windows expire, and the memory store caps its entries.
 */
export interface AttemptCounter {
  /** Counts one attempt under key (atomically) and answers the window's count and seconds left. */
  increment(key: string, windowSeconds: number): Promise<{ count: number; resetInSeconds: number }>;
  /** The window's count and seconds left, without counting ({ count: 0, resetInSeconds: 0 } when no window is open). */
  peek(key: string): Promise<{ count: number; resetInSeconds: number }>;
  /** Takes one attempt back (a success refunds its own attempt, never earlier ones). */
  decrement(key: string): Promise<void>;
  close(): Promise<void>;
}
