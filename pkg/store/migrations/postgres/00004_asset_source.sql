-- Music fetched from a link: the link it came from and the fetch's progress (0..100).
-- (Picture links use the same columns.)

-- +goose Up
ALTER TABLE assets ADD COLUMN source_url TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN progress DOUBLE PRECISION NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE assets DROP COLUMN progress;
ALTER TABLE assets DROP COLUMN source_url;
