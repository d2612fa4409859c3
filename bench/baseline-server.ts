/**
 * The ceiling paybridge is compared with: a bare Fastify with no auth, no logging and no
 * plugins, doing the same primary-key select with the same driver, and a constant route.
 * Usage: DATABASE_URL=… PORT=… npx tsx bench/baseline-server.ts
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/readyz', async () => ({ status: 'ready' }));
app.get<{ Params: { id: string } }>('/user/:id', async (request, reply) => {
  const { rows } = await pool.query('select id, user_name, email from users where id = $1', [request.params.id]);
  const row = rows[0] as { id: string; user_name: string; email: string } | undefined;
  if (!row) return reply.code(404).send({ message: 'not found' });
  return { userId: row.id, userName: row.user_name, email: row.email };
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3901) });
process.once('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
