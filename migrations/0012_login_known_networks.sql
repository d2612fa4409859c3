-- Networks each account signed in from: while an account is under a wide attack only these may try,
-- so they live here, not in the attempt counters an attacker's flood (or a restart) can empty. Keyed
-- by the account, so they follow an email change and go with the account.
CREATE TABLE "login_known_networks" (
	"user_id" text NOT NULL,
	"network" text NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "login_known_networks_pk" PRIMARY KEY("user_id","network"),
	CONSTRAINT "login_known_networks_user_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade
);
