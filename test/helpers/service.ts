import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
// What `npm start` runs (src/main.ts `serve`): the configuration from the environment, then startServer.
import { startServer } from '../../src/bootstrap/server.js';

export interface StartedService {
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A port free right now: PUBLIC_URL (pagination links, the emulator's webhooks) must name the real one, so PORT=0 will not do. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The service as `npm start` starts it, with the embedded defaults (PGlite and the Stripe emulator,
 * in a DATA_DIR of its own) on a free port; env adds variables, as a user would set them.
 */
export async function startService(env: Record<string, string> = {}): Promise<StartedService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paybridge-service-'));
  const port = await freePort();
  const config = loadConfig({ HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, STRIPE_EMULATOR_PORT: '0', LOG_LEVEL: 'error', ...env });
  const server = await startServer(config);
  return {
    url: server.url,
    dataDir,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
