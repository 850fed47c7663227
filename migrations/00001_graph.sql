-- +goose Up
-- The intelligence graph: districts, people, contexts (places, peer groups,
-- online spaces), the graded links between any two of them, and events.
-- Extensions are created by a superuser before migrating where the app role
-- may not create them (the local cluster does this); IF NOT EXISTS makes this
-- a no-op there and does the work on a database owned by a superuser.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Settings that shape stored data (the metric CRS used for distances and
-- grids). Changing metric_srid after data is loaded requires recomputing the
-- metric columns (contextmap migrate --recompute-metric).
CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO settings (key, value) VALUES ('metric_srid', '27700');

CREATE FUNCTION cm_metric_srid() RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT value::integer FROM settings WHERE key = 'metric_srid'
$$;

-- Any area's boundaries; Cumbria's six districts in the demo.
CREATE TABLE districts (
    code   text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.-]{1,32}$'),
    name   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    geom   geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    geom_m geometry(MultiPolygon) NOT NULL
);
CREATE INDEX districts_geom_idx ON districts USING gist (geom);
CREATE INDEX districts_geom_m_idx ON districts USING gist (geom_m);

-- The district holding a point: by containment, else the nearest district
-- within 100 m (district polygons are clipped to the coastline, so coastal
-- points can lie just outside every polygon); NULL when outside the area.
CREATE FUNCTION cm_district_of(p geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT code FROM districts WHERE ST_Intersects(geom, p) ORDER BY code LIMIT 1),
        -- 0.003 degrees is over 100 m at British latitudes: an index prefilter.
        (SELECT code FROM districts
          WHERE ST_DWithin(geom, p, 0.003) AND ST_DWithin(geom::geography, p::geography, 100)
          ORDER BY ST_Distance(geom::geography, p::geography), code LIMIT 1))
$$;

-- Derived columns, kept by the database so every writer (API, import, COPY)
-- gets them right: the representative point, its metric x/y, the district.
-- +goose StatementBegin
CREATE FUNCTION cm_place_derive() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m geometry;
BEGIN
    -- RFC 7946: exterior rings counter-clockwise, holes clockwise.
    NEW.geom := ST_ForcePolygonCCW(NEW.geom);
    IF GeometryType(NEW.geom) = 'POINT' THEN
        NEW.pt := NEW.geom;
    ELSE
        NEW.pt := ST_PointOnSurface(NEW.geom);
    END IF;
    m := ST_Transform(NEW.pt, cm_metric_srid());
    NEW.x := ST_X(m);
    NEW.y := ST_Y(m);
    IF NEW.district IS NULL THEN
        NEW.district := cm_district_of(NEW.pt);
    END IF;
    IF TG_OP = 'UPDATE' THEN NEW.updated_at := now(); END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION cm_event_derive() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- A sensitive place as shown to a caller who may not see it exactly: the
-- centre of the 1 km metric grid square holding it.
CREATE FUNCTION cm_generalise(x double precision, y double precision) RETURNS geometry
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ST_Transform(ST_SetSRID(ST_MakePoint(floor(x / 1000) * 1000 + 500, floor(y / 1000) * 1000 + 500),
                                   cm_metric_srid()), 4326)
$$;

-- Every node of the graph has one id from one sequence, so a link can refer to
-- any node with a real foreign key.
CREATE SEQUENCE node_id_seq;
CREATE TABLE nodes (
    id   bigint PRIMARY KEY,
    type text NOT NULL CHECK (type IN ('person', 'place', 'group', 'space'))
);

-- +goose StatementBegin
CREATE FUNCTION cm_node_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO nodes (id, type) VALUES (NEW.id, TG_ARGV[0]);
        RETURN NEW;
    END IF;
    DELETE FROM nodes WHERE id = OLD.id;
    RETURN OLD;
END $$;
-- +goose StatementEnd

-- People are pseudonymous. A case-system reference is kept only as a keyed
-- hash (HMAC-SHA256), so it can be matched on import but never read back.
CREATE TABLE people (
    id         bigint PRIMARY KEY DEFAULT nextval('node_id_seq'),
    kind       text NOT NULL CHECK (kind IN ('young_person', 'adult_of_concern')),
    pseudonym  text NOT NULL UNIQUE CHECK (pseudonym ~ '^[A-Za-z0-9_-]{1,40}$'),
    ref_hash   bytea UNIQUE CHECK (ref_hash IS NULL OR length(ref_hash) = 32),
    age_band   text CHECK (age_band IN ('under_10', '10-12', '13-15', '16-17', '18-24', '25+')),
    district   text REFERENCES districts (code) ON UPDATE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_district_idx ON people (district);
CREATE INDEX people_kind_idx ON people (kind);
CREATE TRIGGER people_node AFTER INSERT OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION cm_node_sync('person');

-- History of a young person's case status and exploitation category: each row
-- holds from valid_from (inclusive) to valid_to (exclusive; NULL = still in
-- force). Periods of one person never overlap, enforced by the database.
CREATE TABLE person_statuses (
    id         bigserial PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    status     text NOT NULL CHECK (status IN ('early_help', 'open_case', 'cin_plan', 'cp', 'cla', 'not_open')),
    valid_from date NOT NULL,
    valid_to   date CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (person_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX person_statuses_person_idx ON person_statuses (person_id);

CREATE TABLE person_categories (
    id         bigserial PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    category   text NOT NULL CHECK (category IN ('cse1', 'cse2', 'cse3', 'other')),
    valid_from date NOT NULL,
    valid_to   date CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (person_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX person_categories_person_idx ON person_categories (person_id);

-- Risk assessments (CERAR in Cumbria).
CREATE TABLE assessments (
    id           bigserial PRIMARY KEY,
    person_id    bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind         text NOT NULL DEFAULT 'cerar' CHECK (kind ~ '^[a-z0-9_]{1,40}$'),
    completed_on date NOT NULL,
    risk_level   text CHECK (risk_level IN ('low', 'medium', 'high')),
    next_review  date CHECK (next_review IS NULL OR next_review >= completed_on),
    agency       text NOT NULL CHECK (length(agency) BETWEEN 1 AND 100),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessments_person_idx ON assessments (person_id, completed_on DESC);

-- Places: a point or an area. geom is WGS84 lon/lat; pt is a representative
-- point (the point itself, or a point on the surface of an area); x, y are pt
-- in the metric CRS. district is assigned by containment, or the nearest
-- district within 100 m for coastal points just outside every polygon; NULL
-- means outside the area.
CREATE TABLE places (
    id         bigint PRIMARY KEY DEFAULT nextval('node_id_seq'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind       text NOT NULL CHECK (kind IN ('park', 'playground', 'takeaway', 'shop', 'shopping_centre',
                   'bus_station', 'rail_station', 'taxi_rank', 'hotel', 'car_park', 'school', 'college',
                   'leisure_centre', 'street', 'house', 'childrens_home', 'other')),
    sensitive  boolean NOT NULL DEFAULT false,
    urn        text CHECK (urn ~ '^[0-9]{5,7}$'),
    geom       geometry(Geometry, 4326) NOT NULL
               CHECK (GeometryType(geom) IN ('POINT', 'POLYGON', 'MULTIPOLYGON') AND ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    pt         geometry(Point, 4326) NOT NULL,
    x          double precision NOT NULL,
    y          double precision NOT NULL,
    district   text REFERENCES districts (code) ON UPDATE CASCADE,
    ext_ref    text UNIQUE CHECK (length(ext_ref) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Sensitive kinds are always sensitive.
    CHECK (kind NOT IN ('childrens_home', 'house') OR sensitive)
);
CREATE INDEX places_pt_idx ON places USING gist (pt);
CREATE INDEX places_district_idx ON places (district);
CREATE TRIGGER places_derive BEFORE INSERT OR UPDATE ON places
    FOR EACH ROW EXECUTE FUNCTION cm_place_derive();
CREATE TRIGGER places_node AFTER INSERT OR DELETE ON places
    FOR EACH ROW EXECUTE FUNCTION cm_node_sync('place');

CREATE TABLE peer_groups (
    id          bigint PRIMARY KEY DEFAULT nextval('node_id_seq'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text CHECK (length(description) <= 2000),
    district    text REFERENCES districts (code) ON UPDATE CASCADE,
    ext_ref     text UNIQUE CHECK (length(ext_ref) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER peer_groups_node AFTER INSERT OR DELETE ON peer_groups
    FOR EACH ROW EXECUTE FUNCTION cm_node_sync('group');

-- Online spaces: platform and kind, never message content.
CREATE TABLE online_spaces (
    id         bigint PRIMARY KEY DEFAULT nextval('node_id_seq'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    platform   text NOT NULL CHECK (platform IN ('snapchat', 'whatsapp', 'discord', 'instagram', 'tiktok',
                   'telegram', 'facebook', 'xbox_live', 'playstation_network', 'roblox', 'other')),
    space_kind text NOT NULL CHECK (space_kind IN ('group_chat', 'server', 'channel', 'gaming_lobby', 'profile', 'other')),
    district   text REFERENCES districts (code) ON UPDATE CASCADE,
    ext_ref    text UNIQUE CHECK (length(ext_ref) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER online_spaces_node AFTER INSERT OR DELETE ON online_spaces
    FOR EACH ROW EXECUTE FUNCTION cm_node_sync('space');

-- Links between any two nodes, each graded 3x5x2 and sourced. A legacy 5x5x5
-- grade, when a source still uses it, is kept as given beside its mapping.
CREATE TABLE links (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('frequents', 'member_of', 'associates_with', 'present_in',
                         'attends', 'last_seen_at', 'found_at', 'congregates_at', 'linked_to', 'subject_of')),
    source_id        bigint NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    target_id        bigint NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    source_eval      text NOT NULL CHECK (source_eval IN ('1', '2', '3')),
    intel_assessment text NOT NULL CHECK (intel_assessment IN ('A', 'B', 'C', 'D', 'E')),
    handling         text NOT NULL CHECK (handling IN ('P', 'C')),
    legacy_grade     text CHECK (legacy_grade ~ '^[A-E][1-5][1-5]$'),
    confirmed        boolean NOT NULL DEFAULT false,
    source_agency    text NOT NULL CHECK (length(source_agency) BETWEEN 1 AND 100),
    first_seen       date NOT NULL,
    last_seen        date NOT NULL CHECK (last_seen >= first_seen),
    review_date      date NOT NULL,
    nature           text CHECK (length(nature) <= 200),
    strength         smallint CHECK (strength BETWEEN 1 AND 5),
    recorded_by      text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    ext_ref          text UNIQUE CHECK (length(ext_ref) BETWEEN 1 AND 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (source_id <> target_id)
);
CREATE INDEX links_source_idx ON links (source_id);
CREATE INDEX links_target_idx ON links (target_id);
CREATE INDEX links_review_idx ON links (review_date);

-- Events have a window (starts_at..ends_at, equal when exact), a place or a
-- bare point, and grading. Missing episodes also carry where the child was
-- found and when the return home interview was done.
CREATE TABLE events (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('missing_episode', 'sighting', 'incident', 'intelligence_report',
                         'return_home_interview', 'crime')),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL CHECK (ends_at >= starts_at),
    place_id         bigint REFERENCES places (id) ON DELETE SET NULL,
    geom             geometry(Point, 4326) NOT NULL
                     CHECK (ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90),
    x                double precision NOT NULL,
    y                double precision NOT NULL,
    district         text REFERENCES districts (code) ON UPDATE CASCADE,
    category         text CHECK (category IN ('cse1', 'cse2', 'cse3', 'other')),
    severity         smallint NOT NULL DEFAULT 1 CHECK (severity BETWEEN 1 AND 5),
    source_eval      text NOT NULL CHECK (source_eval IN ('1', '2', '3')),
    intel_assessment text NOT NULL CHECK (intel_assessment IN ('A', 'B', 'C', 'D', 'E')),
    handling         text NOT NULL CHECK (handling IN ('P', 'C')),
    confirmed        boolean NOT NULL DEFAULT false,
    source_agency    text NOT NULL CHECK (length(source_agency) BETWEEN 1 AND 100),
    review_date      date,
    found_place_id   bigint REFERENCES places (id) ON DELETE SET NULL,
    found_at         timestamptz CHECK (found_at IS NULL OR found_at >= starts_at),
    rhi_at           timestamptz CHECK (rhi_at IS NULL OR found_at IS NULL OR rhi_at >= found_at),
    crime_type       text CHECK (length(crime_type) <= 100),
    ext_ref          text UNIQUE CHECK (length(ext_ref) BETWEEN 1 AND 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'missing_episode' OR (found_place_id IS NULL AND found_at IS NULL AND rhi_at IS NULL))
);
CREATE INDEX events_time_idx ON events (starts_at, ends_at);
CREATE INDEX events_geom_idx ON events USING gist (geom);
CREATE INDEX events_district_time_idx ON events (district, starts_at);
CREATE TRIGGER events_derive BEFORE INSERT OR UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION cm_event_derive();
CREATE INDEX events_place_idx ON events (place_id);
CREATE INDEX events_found_place_idx ON events (found_place_id);

-- Who and which groups an event involves. role separates the young people
-- harmed from adults of concern, so a victim is never counted as a suspect.
CREATE TABLE event_people (
    event_id  bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX event_people_person_idx ON event_people (person_id);

CREATE TABLE event_groups (
    event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    group_id bigint NOT NULL REFERENCES peer_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, group_id)
);
CREATE INDEX event_groups_group_idx ON event_groups (group_id);

-- API tokens, stored only as SHA-256 of the secret.
CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    role         text NOT NULL CHECK (role IN ('admin', 'analyst', 'police', 'district', 'partner')),
    districts    text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    CHECK (role <> 'district' OR cardinality(districts) > 0)
);

-- +goose Down
DROP TABLE api_tokens, event_groups, event_people, events, links, online_spaces, peer_groups,
    places, assessments, person_categories, person_statuses, people, nodes, districts, settings CASCADE;
DROP FUNCTION cm_generalise(double precision, double precision), cm_node_sync(), cm_place_derive(), cm_event_derive(), cm_district_of(geometry), cm_metric_srid();
DROP SEQUENCE node_id_seq;
