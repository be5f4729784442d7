-- What intake learns beyond the common columns, as one JSON object: when a photo or clip was
-- taken, a clip's probe (frame rate, rotation, HDR, sound) and a track's beats.

-- +goose Up
ALTER TABLE assets ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE assets DROP COLUMN meta;
