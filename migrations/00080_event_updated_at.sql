-- +goose Up
-- An event's updated_at moves when its recorded content changes, not when
-- the database refreshes a derived column (the young_people copy kept for
-- hotspots, the metric x/y): a derived refresh is not an edit, and bumping
-- the time made identical loads differ.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cm_event_derive() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m geometry;
BEGIN
    m := ST_Transform(NEW.geom, cm_metric_srid());
    NEW.x := ST_X(m);
    NEW.y := ST_Y(m);
    IF NEW.district IS NULL THEN
        NEW.district := cm_district_of(NEW.geom);
    END IF;
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ARRAY['young_people', 'updated_at', 'x', 'y', 'cm_tile'])
                   IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['young_people', 'updated_at', 'x', 'y', 'cm_tile']) THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cm_event_derive() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m geometry;
BEGIN
    m := ST_Transform(NEW.geom, cm_metric_srid());
    NEW.x := ST_X(m);
    NEW.y := ST_Y(m);
    IF NEW.district IS NULL THEN
        NEW.district := cm_district_of(NEW.geom);
    END IF;
    IF TG_OP = 'UPDATE' THEN NEW.updated_at := now(); END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
