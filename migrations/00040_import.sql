-- +goose Up
-- Bulk import (docs/IMPORT.md).
--
-- Events keep a legacy 5x5x5 grade beside its 3x5x2 mapping, as links do.
ALTER TABLE events ADD COLUMN legacy_grade text CHECK (legacy_grade ~ '^[A-E][1-5][1-5]$');

-- Context data (police.uk street-level crime) is its own layer: usable in
-- hotspot maps beside safeguarding events, never counted with them.
ALTER TABLE events ADD COLUMN layer text NOT NULL DEFAULT 'safeguarding'
    CHECK (layer IN ('safeguarding', 'context'));
CREATE INDEX events_context_idx ON events (starts_at) WHERE layer = 'context';

-- Assessments may carry the partner's own reference, so a re-import updates
-- rather than duplicates them.
ALTER TABLE assessments ADD COLUMN ext_ref text UNIQUE CHECK (length(ext_ref) BETWEEN 1 AND 200);

-- +goose Down
ALTER TABLE assessments DROP COLUMN ext_ref;
DROP INDEX events_context_idx;
ALTER TABLE events DROP COLUMN layer, DROP COLUMN legacy_grade;
