import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import assert from 'node:assert/strict';

// Shapes of secrets that must never be logged, whoever made them.
const SECRET_SHAPES: Array<[string, RegExp]> = [
  ['a JWT', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  ['an API key', /pbk_[A-Za-z0-9_-]{20,}/],
  ['a Stripe secret key', /\b(sk|rk)_(test|live)_[A-Za-z0-9]{8,}/],
  ['a webhook secret', /whsec_[A-Za-z0-9]{8,}/],
  ['a client secret', /_secret_[A-Za-z0-9]{8,}/],
  ['a password hash', /\$argon2(id|i|d)\$v=\d+\$/],
  ['a card number', /\b(4242424242424242|4000000000000002|4000000000009995|4000002760003184|5555555555554444)\b/],
];

/** Collects every log line an app writes, so tests can assert that no secret ever reaches the log. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  private readonly secrets = new Set<string>();

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    callback();
  }

  /**
   * Marks a value (password, token, key) that must never appear in a log line, with what is
   * derived from it and stored: an API key's digest (the api_keys row), a JWT's session id.
   */
  secret<T extends string | undefined>(value: T): T {
    if (!value) return value;
    this.secrets.add(value);
    if (value.startsWith('pbk_')) this.secrets.add(createHash('sha256').update(value, 'utf8').digest('hex'));
    const sessionId = sessionIdOf(value);
    if (sessionId) this.secrets.add(sessionId);
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
    for (const [what, shape] of SECRET_SHAPES) {
      const found = shape.exec(text);
      assert.ok(!found, `${what} reached the log: ${found?.[0].slice(0, 12)}…`);
    }
  }
}

function sessionIdOf(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0]!.startsWith('eyJ')) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { sid?: unknown };
    return typeof claims.sid === 'string' && claims.sid.length >= 8 ? claims.sid : undefined;
  } catch {
    return undefined;
  }
}
