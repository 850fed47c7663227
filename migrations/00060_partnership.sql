-- +goose Up
-- Room to grow past one partnership (docs/SCALING.md). Every row of the
-- graph and of events says which safeguarding partnership it belongs to:
-- the column a region- or nation-wide deployment distributes its tables by
-- (Citus) and scopes every query by. One deployment is one partnership
-- today, so every row takes the default; a deployment that will be merged
-- with others sets its own code first (docs/SCALING.md, "Naming the
-- partnership").
--
-- Cheap by construction: ADD COLUMN with a constant default changes only
-- the catalogue (PostgreSQL 11 and later store the default for existing
-- rows), so no table is rewritten or scanned, and writers that do not name
-- the column (every one today) are unaffected. Keys, unique constraints and
-- foreign keys are left as they are: changing them is the migration plan in
-- docs/SCALING.md, done when a second partnership arrives.
ALTER TABLE districts         ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE nodes             ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE people            ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE person_statuses   ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE person_categories ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE assessments       ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE places            ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE peer_groups       ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE online_spaces     ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE links             ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE events            ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE event_people      ADD COLUMN partnership text NOT NULL DEFAULT 'local';
ALTER TABLE event_groups      ADD COLUMN partnership text NOT NULL DEFAULT 'local';
-- A token (so the principal it resolves to) belongs to one partnership.
ALTER TABLE api_tokens        ADD COLUMN partnership text NOT NULL DEFAULT 'local';

-- A node's row in nodes carries the partnership of the person or context
-- it stands for (the two must be co-located once distributed).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cm_node_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO nodes (id, type, partnership) VALUES (NEW.id, TG_ARGV[0], NEW.partnership);
        RETURN NEW;
    END IF;
    DELETE FROM nodes WHERE id = OLD.id;
    RETURN OLD;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cm_node_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO nodes (id, type) VALUES (NEW.id, TG_ARGV[0]);
        RETURN NEW;
    END IF;
    DELETE FROM nodes WHERE id = OLD.id;
    RETURN OLD;
END $$;
-- +goose StatementEnd
ALTER TABLE api_tokens DROP COLUMN partnership;
ALTER TABLE event_groups DROP COLUMN partnership;
ALTER TABLE event_people DROP COLUMN partnership;
ALTER TABLE events DROP COLUMN partnership;
ALTER TABLE links DROP COLUMN partnership;
ALTER TABLE online_spaces DROP COLUMN partnership;
ALTER TABLE peer_groups DROP COLUMN partnership;
ALTER TABLE places DROP COLUMN partnership;
ALTER TABLE assessments DROP COLUMN partnership;
ALTER TABLE person_categories DROP COLUMN partnership;
ALTER TABLE person_statuses DROP COLUMN partnership;
ALTER TABLE people DROP COLUMN partnership;
ALTER TABLE nodes DROP COLUMN partnership;
ALTER TABLE districts DROP COLUMN partnership;
