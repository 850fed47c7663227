-- +goose Up
-- The hotspot record of 00090, built from columns instead of the whole
-- row, and declared STABLE (array_send and textsend are STABLE): the
-- planner can then inline it into the query that calls it. Measured on
-- 200,000 events, building every record took 1.26 s through
-- cm_hotspot_record(e) (a row value formed and taken apart again for each
-- event, the function called each time) and 0.36 s inlined from columns.
-- The bytes are the same (migration 00090 documents the layout); the
-- rebuild of blocks uses the column form, and cm_hotspot_record(e) stays
-- for those who call it.
-- +goose StatementBegin
CREATE FUNCTION cm_hotspot_rec(x double precision, y double precision, starts_at timestamptz, ends_at timestamptz,
    place_id bigint, review_date date, kind text, category text, severity smallint, source_eval text,
    intel_assessment text, confirmed boolean, district text, young_people bigint[])
RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT float8send(x) || float8send(y) || timestamptz_send(starts_at) || timestamptz_send(ends_at)
        || int8send(coalesce(place_id, 0)) || date_send(coalesce(review_date, 'infinity'::date))
        || int2send(CASE kind WHEN 'missing_episode' THEN 1 WHEN 'sighting' THEN 2 WHEN 'incident' THEN 3
                              WHEN 'intelligence_report' THEN 4 WHEN 'return_home_interview' THEN 5 ELSE 6 END::int2)
        || int2send(CASE category WHEN 'cse1' THEN 1 WHEN 'cse2' THEN 2 WHEN 'cse3' THEN 3 WHEN 'other' THEN 4 ELSE 0 END::int2)
        || int2send(severity)
        || int2send(((ascii(source_eval) - 48) * 16 + ascii(intel_assessment) - 64)::int2)
        || int2send(confirmed::int::int2)
        || int2send(octet_length(coalesce(district, ''))::int2) || textsend(coalesce(district, ''))
        || array_send(young_people)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cm_hotspot_record(e events) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT cm_hotspot_rec(e.x, e.y, e.starts_at, e.ends_at, e.place_id, e.review_date, e.kind, e.category, e.severity,
                          e.source_eval, e.intel_assessment, e.confirmed, e.district, e.young_people)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cm_hotspot_refresh(tiles bigint[], months date[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE hotspot_blocks IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM hotspot_blocks b USING unnest(tiles, months) AS k(tile, month)
     WHERE b.tile = k.tile AND b.month = k.month;
    INSERT INTO hotspot_blocks (tile, month, chunk, events, data)
    SELECT tile, month, chunk, count(*), string_agg(rec, ''::bytea ORDER BY id)
      FROM (SELECT tile, month, id, rec,
                   ((sum(octet_length(rec)) OVER (PARTITION BY tile, month ORDER BY id)) - 1) / 7000 AS chunk
              FROM (SELECT k.tile, k.month, e.id,
                           cm_hotspot_rec(e.x, e.y, e.starts_at, e.ends_at, e.place_id, e.review_date, e.kind, e.category,
                                          e.severity, e.source_eval, e.intel_assessment, e.confirmed, e.district,
                                          e.young_people) AS rec
                      FROM unnest(tiles, months) AS k(tile, month)
                      JOIN events e ON e.cm_tile = k.tile AND cm_hotspot_month(e.starts_at) = k.month
                       AND e.starts_at >= k.month::timestamp AT TIME ZONE 'UTC'
                       AND e.starts_at < (k.month + interval '1 month')::timestamp AT TIME ZONE 'UTC') r) c
     GROUP BY tile, month, chunk;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cm_hotspot_refresh(tiles bigint[], months date[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE hotspot_blocks IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM hotspot_blocks b USING unnest(tiles, months) AS k(tile, month)
     WHERE b.tile = k.tile AND b.month = k.month;
    INSERT INTO hotspot_blocks (tile, month, chunk, events, data)
    SELECT tile, month, chunk, count(*), string_agg(rec, ''::bytea ORDER BY id)
      FROM (SELECT tile, month, id, rec,
                   ((sum(octet_length(rec)) OVER (PARTITION BY tile, month ORDER BY id)) - 1) / 7000 AS chunk
              FROM (SELECT k.tile, k.month, e.id, cm_hotspot_record(e) AS rec
                      FROM unnest(tiles, months) AS k(tile, month)
                      JOIN events e ON e.cm_tile = k.tile AND cm_hotspot_month(e.starts_at) = k.month
                       AND e.starts_at >= k.month::timestamp AT TIME ZONE 'UTC'
                       AND e.starts_at < (k.month + interval '1 month')::timestamp AT TIME ZONE 'UTC') r) c
     GROUP BY tile, month, chunk;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cm_hotspot_record(e events) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT float8send(e.x) || float8send(e.y) || timestamptz_send(e.starts_at) || timestamptz_send(e.ends_at)
        || int8send(coalesce(e.place_id, 0)) || date_send(coalesce(e.review_date, 'infinity'::date))
        || int2send(CASE e.kind WHEN 'missing_episode' THEN 1 WHEN 'sighting' THEN 2 WHEN 'incident' THEN 3
                                WHEN 'intelligence_report' THEN 4 WHEN 'return_home_interview' THEN 5 ELSE 6 END::int2)
        || int2send(CASE e.category WHEN 'cse1' THEN 1 WHEN 'cse2' THEN 2 WHEN 'cse3' THEN 3 WHEN 'other' THEN 4 ELSE 0 END::int2)
        || int2send(e.severity)
        || int2send(((ascii(e.source_eval) - 48) * 16 + ascii(e.intel_assessment) - 64)::int2)
        || int2send(e.confirmed::int::int2)
        || int2send(octet_length(coalesce(e.district, ''))::int2) || textsend(coalesce(e.district, ''))
        || array_send(e.young_people)
$$;
-- +goose StatementEnd
DROP FUNCTION cm_hotspot_rec(double precision, double precision, timestamptz, timestamptz, bigint, date, text, text,
    smallint, text, text, boolean, text, bigint[]);
