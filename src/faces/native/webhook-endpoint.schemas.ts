import { Type } from 'typebox';
import { ALL_EVENTS, EVENT_TYPES } from '../../core/events/event-types.js';
import { PLAIN_TEXT_FORMAT } from '../../core/users/display-name.js';

// One enum rather than a union of literals: a wrong name gets one message listing none of 13 branches.
const eventName = Type.String({ enum: [ALL_EVENTS, ...EVENT_TYPES], description: 'An event type, or `*` for all' });
const events = Type.Array(eventName, { minItems: 1, maxItems: EVENT_TYPES.length + 1, description: 'The events sent to this endpoint (default `["*"]`)' });
const url = Type.String({ minLength: 1, maxLength: 2048, description: 'Where events are POSTed: https in production; loopback and private addresses only where allowed' });
const description = Type.String({ maxLength: 500, format: PLAIN_TEXT_FORMAT });

export const CreateWebhookEndpointDto = Type.Object(
  { url, events: Type.Optional(events), description: Type.Optional(description) },
  { additionalProperties: false, title: 'CreateWebhookEndpointDto' },
);

export const UpdateWebhookEndpointDto = Type.Object(
  {
    url: Type.Optional(url),
    events: Type.Optional(events),
    description: Type.Optional(Type.Union([description, Type.Null()])),
    enabled: Type.Optional(Type.Boolean({ description: '`true` resumes a disabled endpoint (its pending deliveries go out again)' })),
  },
  { additionalProperties: false, minProperties: 1, title: 'UpdateWebhookEndpointDto' },
);

const dateTime = Type.String({ format: 'date-time' });
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const WebhookEndpointDto = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    description: nullable(Type.String()),
    enabled: Type.Boolean({ description: 'false once disabled (by you, or after failing for 3 days: see disabledReason)' }),
    disabledReason: nullable(Type.String()),
    failingSince: nullable(Type.String({ format: 'date-time', description: 'Since when every delivery has failed' })),
    createdAt: dateTime,
    updatedAt: dateTime,
  },
  { additionalProperties: false, title: 'WebhookEndpoint' },
);

export const WebhookEndpointWithSecretDto = Type.Object(
  { ...WebhookEndpointDto.properties, secret: Type.String({ description: 'The signing secret (whsec_…). Shown only here; stored encrypted.' }) },
  { additionalProperties: false, title: 'WebhookEndpointWithSecret' },
);

export const DeliveryAttemptDto = Type.Object(
  {
    id: Type.String({ description: 'The attempt (deliveryId for a retry)' }),
    eventId: Type.String(),
    eventType: Type.String(),
    attempt: Type.Integer({ minimum: 1 }),
    status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
    responseStatus: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's HTTP status; null when none came" }),
    error: nullable(Type.String({ description: 'Why no status came: timeout, connection failed, name not resolved, refused address' })),
    durationMs: Type.Integer(),
    createdAt: dateTime,
    nextAttemptAt: nullable(Type.String({ format: 'date-time', description: 'When it is retried; null when delivered or given up' })),
  },
  { additionalProperties: false, title: 'WebhookDeliveryAttempt' },
);

export const DeliveryParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), deliveryId: Type.String({ minLength: 1, maxLength: 64 }) });
