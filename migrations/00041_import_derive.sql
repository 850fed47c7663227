-- +goose Up
-- Bulk import computes events' metric x/y and district set-based (one join
-- against the subdivided district polygons instead of a point-in-polygon
-- test per row) and says so for its own transaction with
-- SET LOCAL contextmap.derived = 'on'. The per-row trigger is then skipped;
-- every other writer still goes through it. The import sets updated_at on
-- the rows it changes itself.
DROP TRIGGER events_derive ON events;
CREATE TRIGGER events_derive BEFORE INSERT OR UPDATE ON events
    FOR EACH ROW WHEN (current_setting('contextmap.derived', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION cm_event_derive();

-- +goose Down
DROP TRIGGER events_derive ON events;
CREATE TRIGGER events_derive BEFORE INSERT OR UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION cm_event_derive();
