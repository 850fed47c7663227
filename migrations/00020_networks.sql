-- +goose Up
-- Networks: precomputed components and communities of the graph, with the
-- freshness of each run.
--
-- Freshness without a hot row: every transaction that writes links,
-- people, places, peer groups or online spaces leaves its transaction id in
-- graph_changes (once per transaction). A run records the snapshot it read
-- the graph in; it is stale exactly when some change is not visible in
-- that snapshot, i.e. committed after the run read the graph. Rows visible
-- in the latest run's snapshot are pruned by the next save.
CREATE TABLE graph_changes (
    xid xid8 PRIMARY KEY,
    at  timestamptz NOT NULL DEFAULT now()
);

-- +goose StatementBegin
CREATE FUNCTION cm_graph_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO graph_changes (xid) VALUES (pg_current_xact_id()) ON CONFLICT (xid) DO NOTHING;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER links_graph_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON links
    FOR EACH STATEMENT EXECUTE FUNCTION cm_graph_changed();
CREATE TRIGGER people_graph_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION cm_graph_changed();
CREATE TRIGGER places_graph_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON places
    FOR EACH STATEMENT EXECUTE FUNCTION cm_graph_changed();
CREATE TRIGGER peer_groups_graph_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON peer_groups
    FOR EACH STATEMENT EXECUTE FUNCTION cm_graph_changed();
CREATE TRIGGER online_spaces_graph_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON online_spaces
    FOR EACH STATEMENT EXECUTE FUNCTION cm_graph_changed();

-- One row per computation of the networks.
CREATE TABLE network_runs (
    id               bigserial PRIMARY KEY,
    snapshot         pg_snapshot NOT NULL,   -- the snapshot the graph was read in
    computed_at      timestamptz NOT NULL,   -- when it was read
    as_of            date NOT NULL,          -- review dates were judged on this day
    links_updated_at timestamptz,            -- the latest links.updated_at it saw
    finished_at      timestamptz NOT NULL DEFAULT now(),
    took_ms          integer NOT NULL,
    nodes            integer NOT NULL,
    edges            integer NOT NULL,
    links            integer NOT NULL,
    modularity       double precision NOT NULL,
    options          jsonb NOT NULL
);

-- The run the API serves (one row).
CREATE TABLE network_state (
    one    boolean PRIMARY KEY DEFAULT true CHECK (one),
    run_id bigint NOT NULL REFERENCES network_runs (id)
);

CREATE TABLE networks (
    run_id       bigint NOT NULL REFERENCES network_runs (id),
    id           text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('component', 'community')),
    anchor       bigint NOT NULL,
    component    text,
    size         integer NOT NULL,
    young_people integer NOT NULL,
    adults       integer NOT NULL,
    places       integer NOT NULL,
    groups       integer NOT NULL,
    spaces       integer NOT NULL,
    edges        integer NOT NULL,
    links        integer NOT NULL,
    districts    text[] NOT NULL,
    first_seen   date NOT NULL,
    last_seen    date NOT NULL,
    betweenness  text NOT NULL CHECK (betweenness IN ('exact', 'sampled')),
    pivots       integer NOT NULL,
    PRIMARY KEY (run_id, id)
);
CREATE INDEX networks_list_idx ON networks (run_id, kind, size DESC, anchor);

-- Members with their centrality inside the network. node_type keeps young
-- people and adults of concern apart. Rows of replaced runs are deleted by
-- the save that replaces them (no foreign key: bulk loaded by COPY).
CREATE TABLE network_members (
    run_id      bigint NOT NULL,
    network_id  text NOT NULL,
    node_id     bigint NOT NULL,
    node_type   text NOT NULL CHECK (node_type IN ('young_person', 'adult_of_concern', 'place', 'group', 'space')),
    degree      integer NOT NULL,
    betweenness double precision NOT NULL,
    PRIMARY KEY (run_id, network_id, node_id)
);
CREATE INDEX network_members_node_idx ON network_members (run_id, node_id);

-- The latest links.updated_at is each run's watermark.
CREATE INDEX links_updated_idx ON links (updated_at);

-- +goose Down
DROP TRIGGER links_graph_changed ON links;
DROP TRIGGER people_graph_changed ON people;
DROP TRIGGER places_graph_changed ON places;
DROP TRIGGER peer_groups_graph_changed ON peer_groups;
DROP TRIGGER online_spaces_graph_changed ON online_spaces;
DROP FUNCTION cm_graph_changed();
DROP INDEX links_updated_idx;
DROP TABLE network_members, network_state, networks, network_runs, graph_changes;
