-- Phone login abuse limits (README "Authentication", issue 16).
-- The destination countries a tenant's phone-login codes may go to: a JSON array of ISO 3166 alpha-2 codes, or
-- NULL for the countries of the tenant's own phone numbers.
ALTER TABLE customers ADD COLUMN phone_login_countries TEXT;
-- Codes the tenant sends per hour, across all numbers (claimed in the same statement as each code).
ALTER TABLE customers ADD COLUMN phone_login_hourly_limit INTEGER NOT NULL DEFAULT 100;
CREATE INDEX phone_login_codes_customer ON phone_login_codes(customer_id, created_at);
