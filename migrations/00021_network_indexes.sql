-- +goose Up
-- Covering indexes for the association map, link charts and place profiles:
-- every selected link is found by one end and kind and read from the index
-- alone (EXPLAIN on the national-scale data: heap fetches scattered over a
-- million links were most of the map's time). See docs/BENCHMARKS.md.
CREATE INDEX links_target_kind_cover_idx ON links (target_id, kind)
    INCLUDE (source_id, id, source_eval, intel_assessment, handling, confirmed, first_seen, last_seen, review_date);
CREATE INDEX links_source_kind_cover_idx ON links (source_id, kind)
    INCLUDE (target_id, id, source_eval, intel_assessment, handling, confirmed, first_seen, last_seen, review_date);

-- +goose Down
DROP INDEX links_target_kind_cover_idx, links_source_kind_cover_idx;
