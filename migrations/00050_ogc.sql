-- +goose Up
-- OGC API Features filters places by bbox on their whole geometry (areas as
-- well as points), so the geometry needs its own index beside the
-- representative point's.
CREATE INDEX places_geom_idx ON places USING gist (geom);

-- +goose Down
DROP INDEX places_geom_idx;
