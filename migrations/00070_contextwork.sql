-- +goose Up
-- Context work (docs/CONTEXTWORK.md): contexts as cases, context
-- conferences, the disruption log, safety mapping and missing-person
-- (Philomena) profiles.

-- The district of a context node: a place's, a peer group's or an online
-- space's own district (NULL for people and for contexts without one).
CREATE FUNCTION cm_context_district(node bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT district FROM places WHERE id = node),
        (SELECT district FROM peer_groups WHERE id = node),
        (SELECT district FROM online_spaces WHERE id = node))
$$;

-- Whether free text names a person by pseudonym (as a whole word). Context
-- records (cases, conferences) talk about contexts, not individuals: text
-- that names a young person or an adult of concern is refused, so
-- person-level detail stays behind the roles that may see it.
CREATE FUNCTION cm_names_person(t text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM people p
        WHERE strpos(lower(t), lower(p.pseudonym)) > 0
          AND t ~* ('(^|[^A-Za-z0-9_-])' || p.pseudonym || '($|[^A-Za-z0-9_-])'))
$$;

-- A context case: a place (a school is a place with a URN), a peer group or
-- an online space, assessed, weighted, planned for and reviewed. At most one
-- case per context is not closed.
CREATE TABLE context_cases (
    id          bigserial PRIMARY KEY,
    context_id  bigint NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status      text NOT NULL CHECK (status IN ('referred', 'assessing', 'planning', 'reviewing', 'closed')),
    lead_agency text NOT NULL CHECK (length(lead_agency) BETWEEN 1 AND 100),
    opened_on   date NOT NULL,
    closed_on   date CHECK (closed_on IS NULL OR closed_on >= opened_on),
    assessment  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(assessment) = 'object'),
    plan        text CHECK (length(plan) <= 4000),
    outcomes    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(outcomes) = 'array'),
    recorded_by text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);
CREATE UNIQUE INDEX context_cases_one_open_idx ON context_cases (context_id) WHERE status <> 'closed';
CREATE INDEX context_cases_context_idx ON context_cases (context_id);

-- Context weighting: which of the contexts around a case must change first
-- (rank 1), and why.
CREATE TABLE context_case_weights (
    case_id    bigint NOT NULL REFERENCES context_cases (id) ON DELETE CASCADE,
    context_id bigint NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    rank       smallint NOT NULL CHECK (rank BETWEEN 1 AND 100),
    reason     text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    PRIMARY KEY (case_id, context_id),
    UNIQUE (case_id, rank)
);
CREATE INDEX context_case_weights_context_idx ON context_case_weights (context_id);

-- Context conferences: the meeting where "the context, not individual
-- people, is discussed". No person is referred to by id.
CREATE TABLE conferences (
    id          bigserial PRIMARY KEY,
    held_on     date NOT NULL,
    district    text REFERENCES districts (code) ON UPDATE CASCADE,
    chair       text NOT NULL CHECK (length(chair) BETWEEN 1 AND 200),
    attendees   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attendees) = 'array'),
    decisions   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(decisions) = 'array'),
    minutes     text CHECK (length(minutes) <= 20000),
    recorded_by text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conferences_held_idx ON conferences (held_on);

CREATE TABLE conference_contexts (
    conference_id bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    context_id    bigint NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    position      smallint NOT NULL,
    notes         text CHECK (length(notes) <= 4000),
    PRIMARY KEY (conference_id, context_id)
);
CREATE INDEX conference_contexts_context_idx ON conference_contexts (context_id);

-- Actions of a context case's plan, or agreed at a conference (then
-- optionally about one context): exactly one owner record.
CREATE TABLE context_actions (
    id            bigserial PRIMARY KEY,
    case_id       bigint REFERENCES context_cases (id) ON DELETE CASCADE,
    conference_id bigint REFERENCES conferences (id) ON DELETE CASCADE,
    context_id    bigint REFERENCES nodes (id) ON DELETE SET NULL,
    description   text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    owner         text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
    due_on        date NOT NULL,
    done_on       date,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((case_id IS NULL) <> (conference_id IS NULL)),
    CHECK (case_id IS NULL OR context_id IS NULL)
);
CREATE INDEX context_actions_case_idx ON context_actions (case_id);
CREATE INDEX context_actions_conference_idx ON context_actions (conference_id);
CREATE INDEX context_actions_open_idx ON context_actions (due_on) WHERE done_on IS NULL;

-- The disruption log: police and council actions against places and adults
-- of concern. A CAWN or Sexual Risk Order has an adult as its subject;
-- closure orders, hotel information requests and licensing reviews a place.
CREATE TABLE disruptions (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('cawn', 'sexual_risk_order', 'closure_order',
                        'hotel_information_request', 'licensing_review', 'other')),
    description     text CHECK (length(description) <= 200),
    place_id        bigint REFERENCES places (id) ON DELETE CASCADE,
    person_id       bigint REFERENCES people (id) ON DELETE CASCADE,
    applied_on      date NOT NULL,
    expires_on      date CHECK (expires_on IS NULL OR expires_on >= applied_on),
    outcome         text NOT NULL CHECK (outcome IN ('pending', 'granted', 'refused', 'served', 'complied',
                        'breached', 'withdrawn', 'expired')),
    outcome_notes   text CHECK (length(outcome_notes) <= 2000),
    lead_agency     text NOT NULL CHECK (length(lead_agency) BETWEEN 1 AND 100),
    context_case_id bigint REFERENCES context_cases (id) ON DELETE SET NULL,
    recorded_by     text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (place_id IS NOT NULL OR person_id IS NOT NULL),
    CHECK (kind NOT IN ('cawn', 'sexual_risk_order') OR person_id IS NOT NULL),
    CHECK (kind NOT IN ('closure_order', 'hotel_information_request', 'licensing_review') OR place_id IS NOT NULL),
    CHECK (kind <> 'other' OR description IS NOT NULL)
);
CREATE INDEX disruptions_place_idx ON disruptions (place_id);
CREATE INDEX disruptions_person_idx ON disruptions (person_id);
CREATE INDEX disruptions_applied_idx ON disruptions (applied_on);

-- Safety mapping: a young person's red, amber or green marks on a map,
-- points or areas, recorded by a practitioner. The derived columns (pt, x,
-- y, district) are kept by the same trigger as places'.
CREATE TABLE safety_marks (
    id          bigserial PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    rating      text NOT NULL CHECK (rating IN ('red', 'amber', 'green')),
    geom        geometry(Geometry, 4326) NOT NULL
                CHECK (GeometryType(geom) IN ('POINT', 'POLYGON') AND ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    pt          geometry(Point, 4326) NOT NULL,
    x           double precision NOT NULL,
    y           double precision NOT NULL,
    district    text REFERENCES districts (code) ON UPDATE CASCADE,
    recorded_on date NOT NULL,
    note        text CHECK (length(note) <= 280),
    recorded_by text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX safety_marks_person_idx ON safety_marks (person_id);
CREATE INDEX safety_marks_pt_idx ON safety_marks USING gist (pt);
CREATE INDEX safety_marks_recorded_idx ON safety_marks (recorded_on);
CREATE TRIGGER safety_marks_derive BEFORE INSERT OR UPDATE ON safety_marks
    FOR EACH ROW EXECUTE FUNCTION cm_place_derive();

-- Missing-person (Philomena) profiles: what the graph cannot hold. Phones
-- and social media handles are kept only as keyed hashes (HMAC-SHA256)
-- with a practitioner's description ("main phone"), never the value.
CREATE TABLE missing_profiles (
    person_id  bigint PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    transport  text CHECK (length(transport) <= 1000),
    updated_by text NOT NULL CHECK (length(updated_by) BETWEEN 1 AND 200),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE person_identifiers (
    id          bigserial PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('phone', 'social_handle')),
    platform    text CHECK (platform IN ('snapchat', 'whatsapp', 'discord', 'instagram', 'tiktok',
                    'telegram', 'facebook', 'xbox_live', 'playstation_network', 'roblox', 'other')),
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 100),
    recorded_on date NOT NULL DEFAULT current_date,
    recorded_by text NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (person_id, hash),
    CHECK ((kind = 'social_handle') = (platform IS NOT NULL))
);
CREATE INDEX person_identifiers_hash_idx ON person_identifiers (hash);

-- +goose Down
DROP TABLE person_identifiers, missing_profiles, safety_marks, disruptions, context_actions,
    conference_contexts, conferences, context_case_weights, context_cases;
DROP FUNCTION cm_names_person(text), cm_context_district(bigint);
