-- docker-compose.yml: one database per service, created once on an empty PostgreSQL volume.
-- Each service owns its tables and its own `outbox` table (and the relay that empties it), so two
-- services must not share a database: each would also relay the other's events.
CREATE DATABASE portal_auth;
CREATE DATABASE notifications;
CREATE DATABASE payments;
CREATE DATABASE quotation_signing;
CREATE DATABASE vision_ocr;
