-- The login and registration limits' counters, in the database when no Redis is configured: shared by
-- every instance on it, and kept across a restart. One row a key (a window of a kind: an address, an
-- account); a window that lapsed is started afresh by the next attempt, and deleted by the sweep.
CREATE TABLE "attempt_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"reset_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
CREATE INDEX "attempt_windows_reset" ON "attempt_windows" USING btree ("reset_at");
