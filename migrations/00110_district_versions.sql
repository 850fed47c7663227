-- +goose Up
-- A version of the district boundaries (data_versions, migration 00091),
-- so that an import can keep the index it finds events' districts with
-- (geo.AreaIndex, built from the districts cut into small pieces) until
-- the boundaries change.
INSERT INTO data_versions (name) VALUES ('districts');
CREATE TRIGGER districts_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON districts
    FOR EACH STATEMENT EXECUTE FUNCTION cm_bump_version('districts');

-- +goose Down
DROP TRIGGER districts_version ON districts;
DELETE FROM data_versions WHERE name = 'districts';
