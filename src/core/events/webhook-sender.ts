/** What the core needs to push an event out; the HTTP adapter provides it. */
export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface WebhookResponse {
  /** The receiver's HTTP status, or null when none came (timeout, refused, unreachable). */
  status: number | null;
  durationMs: number;
  /** Our own short reason when there was no status; never the receiver's body. */
  error?: string;
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
  /** The addresses a host name resolves to (empty when it does not resolve). */
  resolve(hostname: string): Promise<string[]>;
}
