-- A partner token names its issuer and audience; one organisation at most may trust that pair, so
-- another cannot copy a partner's (public) provider settings and claim, or make ambiguous, its tokens.
-- Should an existing deployment hold such a pair twice, this migration stops with PostgreSQL's
-- "could not create unique index" naming it: clear the provider of the organisation it does not belong to.
CREATE UNIQUE INDEX "organisation_settings_identity_provider_audience" ON "organisation_settings" USING btree (("identity_provider" ->> 'issuer'), ("identity_provider" ->> 'audience')) WHERE "identity_provider" IS NOT NULL;
