import { Writable } from 'node:stream';
import assert from 'node:assert/strict';

/** Collects every log line an app writes, so tests can assert that no secret ever reaches the log. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  private readonly secrets = new Set<string>();

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    callback();
  }

  /** Marks a value (password, token, key) that must never appear in a log line. */
  secret<T extends string | undefined>(value: T): T {
    if (value) this.secrets.add(value);
    return value;
  }

  get text(): string {
    return this.lines.join('');
  }

  assertNoSecrets(): void {
    const text = this.text;
    assert.ok(this.lines.length > 0, 'the app logged nothing at all: the capture is not wired');
    for (const secret of this.secrets) {
      assert.ok(!text.includes(secret), `a secret value reached the log: ${secret.slice(0, 6)}…`);
    }
  }
}
