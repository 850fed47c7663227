-- +goose Up
-- A version of the missing episodes (see 00091): the missing-episode
-- report and the trend read every episode of their period with its
-- children, asked for again and again for the same periods. A statement
-- that writes, changes or removes a missing episode, or the people in one,
-- moves 'missing_episodes' on; other events leave it alone, so the sightings
-- and incidents recorded all day do not throw the kept figures away.
INSERT INTO data_versions (name) VALUES ('missing_episodes');

-- +goose StatementBegin
CREATE FUNCTION cm_missing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hit boolean := false;
BEGIN
    -- A transition table exists only for the operations that have it.
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        hit := EXISTS (SELECT 1 FROM changed_new WHERE kind = 'missing_episode');
    END IF;
    IF NOT hit AND TG_OP IN ('DELETE', 'UPDATE') THEN
        hit := EXISTS (SELECT 1 FROM changed_old WHERE kind = 'missing_episode');
    END IF;
    IF hit THEN
        UPDATE data_versions SET version = version + 1 WHERE name = 'missing_episodes';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION cm_missing_people_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hit boolean := TG_OP = 'UPDATE';
BEGIN
    IF TG_OP = 'INSERT' THEN
        hit := EXISTS (SELECT 1 FROM changed_new n JOIN events e ON e.id = n.event_id WHERE e.kind = 'missing_episode');
    ELSIF TG_OP = 'DELETE' THEN
        -- Rows deleted with their event (a cascade) are the events
        -- trigger's business; an event still there is looked at.
        hit := EXISTS (SELECT 1 FROM changed_old o JOIN events e ON e.id = o.event_id WHERE e.kind = 'missing_episode');
    END IF;
    IF hit THEN
        UPDATE data_versions SET version = version + 1 WHERE name = 'missing_episodes';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER events_missing_ins AFTER INSERT ON events
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION cm_missing_changed();
CREATE TRIGGER events_missing_upd AFTER UPDATE ON events
    REFERENCING NEW TABLE AS changed_new OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION cm_missing_changed();
CREATE TRIGGER events_missing_del AFTER DELETE ON events
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION cm_missing_changed();
CREATE TRIGGER events_missing_truncate AFTER TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION cm_bump_version('missing_episodes');
CREATE TRIGGER event_people_missing_ins AFTER INSERT ON event_people
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION cm_missing_people_changed();
CREATE TRIGGER event_people_missing_upd AFTER UPDATE ON event_people
    FOR EACH STATEMENT EXECUTE FUNCTION cm_missing_people_changed();
CREATE TRIGGER event_people_missing_del AFTER DELETE ON event_people
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION cm_missing_people_changed();
CREATE TRIGGER event_people_missing_truncate AFTER TRUNCATE ON event_people
    FOR EACH STATEMENT EXECUTE FUNCTION cm_bump_version('missing_episodes');

-- +goose Down
DROP TRIGGER event_people_missing_truncate ON event_people;
DROP TRIGGER event_people_missing_del ON event_people;
DROP TRIGGER event_people_missing_upd ON event_people;
DROP TRIGGER event_people_missing_ins ON event_people;
DROP TRIGGER events_missing_truncate ON events;
DROP TRIGGER events_missing_del ON events;
DROP TRIGGER events_missing_upd ON events;
DROP TRIGGER events_missing_ins ON events;
DROP FUNCTION cm_missing_people_changed(), cm_missing_changed();
DELETE FROM data_versions WHERE name = 'missing_episodes';
