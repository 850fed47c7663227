-- +goose Up
-- OGC API Features answers numberMatched exactly on every page. For a page
-- with no filter but the caller's district scope, counting the table each
-- time (a scan of every row) cost ten times the page itself; these counts,
-- kept per district by statement-level triggers in the same transaction as
-- every write, give the same exact answer from a few rows. '' stands for
-- rows outside every district (district NULL).
CREATE TABLE feature_counts (
    collection text NOT NULL,
    district   text NOT NULL,
    n          bigint NOT NULL,
    PRIMARY KEY (collection, district)
);

-- Rows are counted in district order so that two writers lock counters in
-- the same order and cannot deadlock on them.
-- +goose StatementBegin
CREATE FUNCTION cm_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feature_counts (collection, district, n)
    SELECT TG_ARGV[0], d, c FROM (SELECT coalesce(district, '') d, count(*) c FROM new_rows GROUP BY 1) x ORDER BY d
    ON CONFLICT (collection, district) DO UPDATE SET n = feature_counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION cm_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE feature_counts f SET n = f.n - o.c
    FROM (SELECT coalesce(district, '') d, count(*) c FROM old_rows GROUP BY 1 ORDER BY 1) o
    WHERE f.collection = TG_ARGV[0] AND f.district = o.d;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- An update moves rows between districts: only the difference is written,
-- so an update that keeps every district touches no counter.
-- +goose StatementBegin
CREATE FUNCTION cm_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feature_counts (collection, district, n)
    SELECT TG_ARGV[0], d, c FROM (
        SELECT d, sum(c) c FROM (
            SELECT coalesce(district, '') d, 1 c FROM new_rows
            UNION ALL SELECT coalesce(district, ''), -1 FROM old_rows) u
        GROUP BY d HAVING sum(c) <> 0) x ORDER BY d
    ON CONFLICT (collection, district) DO UPDATE SET n = feature_counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION cm_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM feature_counts WHERE collection = TG_ARGV[0];
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER places_count_insert AFTER INSERT ON places REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cm_count_insert('places');
CREATE TRIGGER places_count_update AFTER UPDATE ON places REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cm_count_update('places');
CREATE TRIGGER places_count_delete AFTER DELETE ON places REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cm_count_delete('places');
CREATE TRIGGER places_count_truncate AFTER TRUNCATE ON places
    FOR EACH STATEMENT EXECUTE FUNCTION cm_count_truncate('places');

CREATE TRIGGER events_count_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cm_count_insert('events');
CREATE TRIGGER events_count_update AFTER UPDATE ON events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cm_count_update('events');
CREATE TRIGGER events_count_delete AFTER DELETE ON events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cm_count_delete('events');
CREATE TRIGGER events_count_truncate AFTER TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION cm_count_truncate('events');

INSERT INTO feature_counts (collection, district, n)
SELECT 'places', coalesce(district, ''), count(*) FROM places GROUP BY 2
UNION ALL
SELECT 'events', coalesce(district, ''), count(*) FROM events GROUP BY 2;

-- +goose Down
DROP TRIGGER places_count_insert ON places;
DROP TRIGGER places_count_update ON places;
DROP TRIGGER places_count_delete ON places;
DROP TRIGGER places_count_truncate ON places;
DROP TRIGGER events_count_insert ON events;
DROP TRIGGER events_count_update ON events;
DROP TRIGGER events_count_delete ON events;
DROP TRIGGER events_count_truncate ON events;
DROP FUNCTION cm_count_insert(), cm_count_delete(), cm_count_update(), cm_count_truncate();
DROP TABLE feature_counts;
