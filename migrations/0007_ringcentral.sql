-- RingCentral (docs/ringcentral.md): each tenant's webhook subscription for telephony-session notifications.
-- The verification token RingCentral sends back on every notification is stored encrypted (`v1:` + base64, like
-- every tenant secret). The row is written before RingCentral is asked to create the subscription, so the first
-- notifications already find the token; subscription_id stays NULL until RingCentral has answered.
CREATE TABLE ringcentral_subscriptions (
  customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
  -- RingCentral's id of the subscription; NULL while it is being created, or when creating it failed
  subscription_id TEXT,
  -- the event filter subscribed to, and the webhook address RingCentral delivers to
  event_filter TEXT NOT NULL,
  address TEXT NOT NULL,
  verification_token_enc TEXT NOT NULL,
  -- ISO 8601; the cron trigger renews subscriptions whose time is near (or that have none: a failed creation)
  expires_at TEXT,
  -- Pending (being created) | Active | Blacklisted (RingCentral stopped delivering: it is created anew)
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX ringcentral_subscriptions_due ON ringcentral_subscriptions(expires_at);
