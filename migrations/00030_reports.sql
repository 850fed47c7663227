-- +goose Up
-- Reports (the Current Picture, trends, missing episodes, the MACE pack).

-- A short label for a district's column in printed reports, when the
-- partnership prints something shorter than the official name (the slides
-- print "Barrow" for Barrow-in-Furness). NULL: the report uses a built-in
-- short form for a few known ONS codes, else the name (see docs/REPORTS.md).
ALTER TABLE districts ADD COLUMN short_name text CHECK (length(short_name) BETWEEN 1 AND 60);

-- Existing databases that already hold Cumbria get its printed short form.
UPDATE districts SET short_name = 'Barrow' WHERE code = 'E07000027' AND short_name IS NULL;

-- The whole-area column's label is the settings row area_name when present
-- (see docs/REPORTS.md for the rule without one).

-- Missing episodes are reported by when they were reported and when the
-- child was found.
CREATE INDEX events_missing_starts_idx ON events (starts_at) WHERE kind = 'missing_episode';
CREATE INDEX events_missing_found_idx ON events (found_at) WHERE kind = 'missing_episode';

-- +goose Down
DROP INDEX events_missing_found_idx;
DROP INDEX events_missing_starts_idx;
ALTER TABLE districts DROP COLUMN short_name;
