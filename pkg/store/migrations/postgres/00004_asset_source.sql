-- Music fetched from a link: the link it came from and the fetch's progress (0..100).
-- Numbered after the issue that added it, so that neighbouring branches' migrations do not
-- collide with it.

-- +goose Up
ALTER TABLE assets ADD COLUMN source_url TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN progress DOUBLE PRECISION NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE assets DROP COLUMN progress;
ALTER TABLE assets DROP COLUMN source_url;
