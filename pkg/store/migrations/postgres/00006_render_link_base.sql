-- A render keeps the scheme and host of the request that made it: its webhook body's links
-- are absolute even when public_url is not set.

-- +goose Up
ALTER TABLE renders ADD COLUMN link_base TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE renders DROP COLUMN link_base;
