-- Times are timestamptz (microseconds); JSON columns are jsonb.

-- +goose Up
CREATE TABLE projects (
    id         TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    owner_key  TEXT NOT NULL DEFAULT '',
    spec       JSONB NOT NULL
);
CREATE INDEX projects_updated_at ON projects (updated_at);
CREATE INDEX projects_owner_key ON projects (owner_key, updated_at);

CREATE TABLE assets (
    id            TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL,
    error         TEXT NOT NULL DEFAULT '',
    sha256        TEXT NOT NULL DEFAULT '',
    original_name TEXT NOT NULL DEFAULT '',
    size          BIGINT NOT NULL DEFAULT 0,
    format        TEXT NOT NULL DEFAULT '',
    width         INTEGER NOT NULL DEFAULT 0,
    height        INTEGER NOT NULL DEFAULT 0,
    orientation   INTEGER NOT NULL DEFAULT 0,
    pix_fmt       TEXT NOT NULL DEFAULT '',
    duration      DOUBLE PRECISION NOT NULL DEFAULT 0,
    codec         TEXT NOT NULL DEFAULT '',
    peaks         JSONB NOT NULL DEFAULT 'null',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX assets_project ON assets (project_id, created_at);
CREATE INDEX assets_sha256 ON assets (project_id, sha256);

CREATE TABLE renders (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    spec         JSONB NOT NULL,
    state        TEXT NOT NULL,
    progress     DOUBLE PRECISION NOT NULL DEFAULT 0,
    eta          DOUBLE PRECISION NOT NULL DEFAULT 0,
    message      TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    error_detail TEXT NOT NULL DEFAULT '',
    warnings     JSONB NOT NULL DEFAULT 'null',
    frames_total BIGINT NOT NULL DEFAULT 0,
    frames_done  BIGINT NOT NULL DEFAULT 0,
    duration     DOUBLE PRECISION NOT NULL DEFAULT 0,
    output_size  BIGINT NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    client       TEXT NOT NULL DEFAULT '',
    worker       TEXT NOT NULL DEFAULT '',
    cancel_asked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMPTZ NOT NULL,
    started_at   TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX renders_project ON renders (project_id, created_at);
CREATE INDEX renders_state ON renders (state, created_at);
CREATE INDEX renders_client ON renders (client, state);
CREATE INDEX renders_updated_at ON renders (updated_at);

-- +goose Down
DROP TABLE renders;
DROP TABLE assets;
DROP TABLE projects;
