-- API keys (hashed at rest), a render's webhook callback, and every webhook delivery attempt.

-- +goose Up
CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL DEFAULT '',
    prefix          TEXT NOT NULL,
    hash            TEXT NOT NULL UNIQUE,
    webhook_url     TEXT NOT NULL DEFAULT '',
    webhook_secret  TEXT NOT NULL,
    rate_limit      TEXT NOT NULL DEFAULT '',
    renders_per_day INTEGER NOT NULL DEFAULT 0,
    storage_bytes   BIGINT NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    revoked_at      TIMESTAMPTZ,
    last_used_at    TIMESTAMPTZ
);

ALTER TABLE renders ADD COLUMN callback_url TEXT NOT NULL DEFAULT '';

CREATE TABLE webhook_deliveries (
    id          BIGSERIAL PRIMARY KEY,
    render_id   TEXT NOT NULL,
    event       TEXT NOT NULL,
    url         TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    duration_ms BIGINT NOT NULL DEFAULT 0,
    next_at     TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_render ON webhook_deliveries (render_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
ALTER TABLE renders DROP COLUMN callback_url;
DROP TABLE api_keys;
