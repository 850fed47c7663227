-- +goose Up
-- Hotspot maps read events as an aggregate over one covering index rather
-- than as a spatial join. The index is keyed by a 5 km tile of the metric
-- grid, the kind and the start time, and holds every column a hotspot
-- filter or count needs, including the young people an event involves, so
-- a county-sized, twelve-month query is one index-only range scan per tile
-- and kind. Cells are computed from x, y by the application for any grid
-- and cell size asked for (cheaper than storing cells at fixed sizes).

-- The 5 km tile holding the event: two 16-bit offsets packed in a bigint,
-- valid for metric coordinates within ±163,840 km of the origin. Computed
-- by the database from x, y, which events_derive sets, so every writer
-- gets it right.
ALTER TABLE events ADD COLUMN cm_tile bigint
    GENERATED ALWAYS AS (((floor(x / 5000)::bigint + 32768) << 16) | (floor(y / 5000)::bigint + 32768)) STORED;

-- The young people (not adults of concern) an event involves, sorted: a copy
-- of event_people kept by the triggers below, so distinct young people can
-- be counted without a join. Adults of concern are never in it.
ALTER TABLE events ADD COLUMN young_people bigint[] NOT NULL DEFAULT '{}';

UPDATE events e SET young_people = s.ids
  FROM (SELECT ep.event_id, array_agg(ep.person_id ORDER BY ep.person_id) AS ids
          FROM event_people ep JOIN people p ON p.id = ep.person_id AND p.kind = 'young_person'
         GROUP BY ep.event_id) s
 WHERE e.id = s.event_id;

-- Recomputes young_people for the given events from event_people, set-based
-- (a bulk COPY of millions of rows is one statement), writing only rows
-- that change.
-- +goose StatementBegin
CREATE FUNCTION cm_refresh_young_people(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE events e SET young_people = s.ids
      FROM (SELECT ev.id, coalesce(array_agg(ep.person_id ORDER BY ep.person_id)
                                   FILTER (WHERE p.kind = 'young_person'), '{}') AS ids
              FROM unnest(ids) AS ev(id)
              LEFT JOIN event_people ep ON ep.event_id = ev.id
              LEFT JOIN people p ON p.id = ep.person_id
             GROUP BY ev.id) s
     WHERE e.id = s.id AND e.young_people IS DISTINCT FROM s.ids
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION cm_event_people_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM cm_refresh_young_people(ARRAY(SELECT DISTINCT event_id FROM changed_new));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM cm_refresh_young_people(ARRAY(SELECT DISTINCT event_id FROM changed_old));
    ELSE
        PERFORM cm_refresh_young_people(ARRAY(SELECT event_id FROM changed_new UNION SELECT event_id FROM changed_old));
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER event_people_young_ins AFTER INSERT ON event_people
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION cm_event_people_changed();
CREATE TRIGGER event_people_young_del AFTER DELETE ON event_people
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION cm_event_people_changed();
CREATE TRIGGER event_people_young_upd AFTER UPDATE ON event_people
    REFERENCING NEW TABLE AS changed_new OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION cm_event_people_changed();

-- A person who changes kind (young person <-> adult of concern) changes the
-- events' lists too.
-- +goose StatementBegin
CREATE FUNCTION cm_person_kind_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cm_refresh_young_people(ARRAY(SELECT event_id FROM event_people WHERE person_id = NEW.id));
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER people_kind_young AFTER UPDATE OF kind ON people
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION cm_person_kind_changed();

-- The hotspot index. Windows of up to 31 days are found by a range on
-- starts_at (from − 31 days .. to); longer ones through events_long_idx.
-- Included columns come in the order a default read needs them, so a row
-- is decoded no further than necessary.
CREATE INDEX events_hotspot_idx ON events (cm_tile, kind, starts_at)
    INCLUDE (ends_at, x, y, review_date, place_id, young_people, severity, category, source_eval, intel_assessment,
             confirmed, district);
CREATE INDEX events_long_idx ON events (starts_at) WHERE ends_at - starts_at > interval '31 days';
CREATE INDEX places_sensitive_idx ON places (id) WHERE sensitive;

-- Disclosure control for aggregate-only outputs: counts of distinct young
-- people from 1 to threshold − 1 are suppressed; totals shown beside them
-- are rounded to the nearest multiple of disclosure_round.
INSERT INTO settings (key, value) VALUES ('disclosure_threshold', '5'), ('disclosure_round', '5')
    ON CONFLICT (key) DO NOTHING;

-- +goose Down
DELETE FROM settings WHERE key IN ('disclosure_threshold', 'disclosure_round');
DROP INDEX places_sensitive_idx, events_long_idx, events_hotspot_idx;
DROP TRIGGER people_kind_young ON people;
DROP TRIGGER event_people_young_ins ON event_people;
DROP TRIGGER event_people_young_del ON event_people;
DROP TRIGGER event_people_young_upd ON event_people;
DROP FUNCTION cm_person_kind_changed(), cm_event_people_changed(), cm_refresh_young_people(bigint[]);
ALTER TABLE events DROP COLUMN young_people, DROP COLUMN cm_tile;
