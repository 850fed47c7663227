-- +goose Up
-- The audit log (DPA 2018 s.62): every consultation and disclosure of
-- person-level data, with who, when, what and why. Append-only, enforced by
-- the database, and hash-chained: each record's hash covers the previous
-- record's hash, so `contextmap audit verify` finds any altered, removed,
-- inserted or reordered record.
CREATE TABLE audit_log (
    seq         bigint PRIMARY KEY CHECK (seq > 0),
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    actor_label text NOT NULL,
    role        text NOT NULL,
    action      text NOT NULL,
    route       text NOT NULL,
    params      json NOT NULL,
    person_ids  bigint[] NOT NULL,
    purpose     text NOT NULL,
    status      integer NOT NULL,
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at);
CREATE INDEX audit_log_people_idx ON audit_log USING gin (person_ids);

-- +goose StatementBegin
CREATE FUNCTION cm_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION cm_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION cm_audit_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION cm_audit_append_only();
