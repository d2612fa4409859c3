import pg from 'pg';

/**
 * On PostgreSQL each test file (its own process) gets an empty database of its own, migrated from
 * scratch by its first app. One shared database would hand every file's queued work (Stripe events,
 * outbound deliveries) to any other file's workers, which would re-read those intents from their
 * own emulator and fail. Apps of one file, and the processes it starts, still share their database,
 * as instances of one deployment do.
 */
export async function databaseOfThisFile(baseUrl: string): Promise<string> {
  const url = new URL(baseUrl);
  // scripts/run-tests.mjs drops every `<base>__file_<digits>` before and after a run.
  const name = `${decodeURIComponent(url.pathname.slice(1))}__file_${process.pid}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}
