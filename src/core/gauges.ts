/** A queue's state as its gauges show it: how many items wait, and how long the oldest has waited. */
export interface QueueBacklog {
  count: number;
  oldestAgeSeconds: number;
}

/** Where the core publishes gauges read at each scrape (src/adapters/metrics.ts provides it). */
export interface Gauges {
  /** A gauge whose value is read at each scrape, e.g. a backlog's size. */
  gaugeOnScrape(name: string, help: string, read: () => number | Promise<number>): void;
  /**
   * A queue's two gauges, read at each scrape: `<name>_backlog` (items waiting) and
   * `<name>_lag_seconds` (how long the oldest has waited; 0 when empty).
   */
  queueOnScrape(name: string, what: string, read: () => Promise<QueueBacklog>): void;
}
