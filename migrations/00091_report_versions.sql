-- +goose Up
-- Versions of the data the reports read, so that their counts can be kept
-- and reused until what they count changes: the Current Picture of a date
-- (every child's category, status and latest assessment on that date) is
-- asked for again and again (the trend's twelve month-ends, the MACE
-- pack's two dates) and costs a pass over every child. Each statement that
-- changes the children's histories adds one to 'person_history' in its own
-- transaction, so a count read in the same snapshot as the version is the
-- count of that version. Writers of these tables take turns on the row
-- until they commit (they are few: case records, imports, erasure).
CREATE TABLE data_versions (
    name    text PRIMARY KEY,
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO data_versions (name) VALUES ('person_history');

-- +goose StatementBegin
CREATE FUNCTION cm_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER people_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION cm_bump_version('person_history');
CREATE TRIGGER person_categories_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON person_categories
    FOR EACH STATEMENT EXECUTE FUNCTION cm_bump_version('person_history');
CREATE TRIGGER person_statuses_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON person_statuses
    FOR EACH STATEMENT EXECUTE FUNCTION cm_bump_version('person_history');
CREATE TRIGGER assessments_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON assessments
    FOR EACH STATEMENT EXECUTE FUNCTION cm_bump_version('person_history');

-- +goose Down
DROP TRIGGER assessments_version ON assessments;
DROP TRIGGER person_statuses_version ON person_statuses;
DROP TRIGGER person_categories_version ON person_categories;
DROP TRIGGER people_version ON people;
DROP FUNCTION cm_bump_version();
DROP TABLE data_versions;
