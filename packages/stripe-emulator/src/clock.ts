/**
 * Emulator time: wall-clock seconds plus an offset that tests can advance, so
 * 24-hour idempotency expiry and `created` ranges can be exercised without waiting.
 */
export class Clock {
  constructor(private offsetSeconds = 0) {}

  now(): number {
    return Math.floor(Date.now() / 1000) + this.offsetSeconds;
  }

  get offset(): number {
    return this.offsetSeconds;
  }

  advance(seconds: number): void {
    this.offsetSeconds += seconds;
  }

  reset(): void {
    this.offsetSeconds = 0;
  }
}
