import { sql, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { newId } from '../ids.js';
import type { EventType } from './event-types.js';

/** The object an event carries, exactly as the native API shows it: it names itself by id or userId. */
export type EventObject = { id: string } | { userId: string };

export const objectIdOf = (object: EventObject) => ('id' in object ? object.id : object.userId);

export const newEventId = () => `evt_${newId().replaceAll('-', '')}`;

/** An event as it is stored and sent: its id and the exact JSON body every attempt carries. */
export function eventEnvelope(type: EventType, object: EventObject): { id: string; body: string } {
  const id = newEventId();
  return { id, body: JSON.stringify({ id, type, createdAt: new Date().toISOString(), data: { object } }) };
}

/** The enabled endpoints of an organisation that subscribe to an event type: the one rule of who hears what. */
export const subscribedEndpoints = (organisationId: SQLWrapper | string, type: SQLWrapper | string) => sql`
  select id from webhook_endpoints
  where organisation_id = ${organisationId} and enabled
    and (events @> '["*"]'::jsonb or events @> jsonb_build_array(${type}::text))`;

/**
 * Writes an event into the outbox, with one delivery per endpoint of the organisation that
 * subscribes to it. Call it with the transaction of the change the event announces: the event
 * then exists exactly when the change does (no event for a rollback, none lost to a crash).
 * Nothing is written when no endpoint listens.
 */
export async function recordEvent(tx: Database, organisationId: string, type: EventType, object: EventObject): Promise<void> {
  const { id, body } = eventEnvelope(type, object);
  const objectId = objectIdOf(object);
  await tx.execute(sql`
    with endpoint as (${subscribedEndpoints(organisationId, type)}), event as (
      insert into outbox_events (id, organisation_id, type, object_id, body)
      select ${id}, ${organisationId}, ${type}, ${objectId}, ${body} where exists (select 1 from endpoint)
      returning id
    )
    insert into webhook_deliveries (id, event_id, endpoint_id, object_id)
    select gen_random_uuid()::text, event.id, endpoint.id, ${objectId} from event, endpoint`);
}

/** recordEvent bound to one transaction, for stores handed out per transaction. */
export type EventRecorder = (organisationId: string, type: EventType, object: EventObject) => Promise<void>;

export const eventRecorder =
  (tx: Database): EventRecorder =>
  (organisationId, type, object) =>
    recordEvent(tx, organisationId, type, object);
