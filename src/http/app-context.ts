import type { Metrics } from '../adapters/metrics.js';
import type { Config } from '../config.js';
import type { Services } from '../core/services.js';
import type { DatabaseHandle } from '../db/client.js';

export type { Services } from '../core/services.js';

/** Everything a face is given, built once by the composition root (src/bootstrap/). */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  services: Services;
  defaultOrganisationId: string;
  /** The Prometheus registry every module reports into (GET /metrics). */
  metrics: Metrics;
}
