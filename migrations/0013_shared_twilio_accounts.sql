-- One Twilio account may serve several customers (a reseller's tenants, or one test account for a staging and a
-- demo tenant): its AccountSid is no longer unique. A Twilio webhook's tenant is the one whose auth token signed
-- it, and when several share the token, the one owning what the webhook names (src/carriers/twilio/webhook.ts).
-- A Telnyx connection and a RingCentral account still belong to one customer: their webhooks name nothing else.
DROP INDEX carrier_accounts_ref;
CREATE UNIQUE INDEX carrier_accounts_ref ON carrier_accounts(carrier, account_ref)
  WHERE account_ref IS NOT NULL AND carrier <> 'twilio';
CREATE INDEX carrier_accounts_by_ref ON carrier_accounts(carrier, account_ref) WHERE account_ref IS NOT NULL;
