-- The reconciler looks for assets still being fetched or processed, across projects.

-- +goose Up
CREATE INDEX assets_state ON assets (state);

-- +goose Down
DROP INDEX assets_state;
