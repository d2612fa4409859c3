-- Fair webhook delivery: each endpoint's due deliveries in due order (a claim takes a few of each
-- endpoint in turn), and the deliveries being sent right now (each endpoint's and organisation's share).
CREATE INDEX "webhook_deliveries_endpoint_due" ON "webhook_deliveries" USING btree ("endpoint_id","next_attempt_at") WHERE "webhook_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_claimed" ON "webhook_deliveries" USING btree ("endpoint_id") WHERE "webhook_deliveries"."status" = 'pending' and "webhook_deliveries"."claim_token" is not null;
