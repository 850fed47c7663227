// Package resilience has no code of its own: its tests break PostgreSQL
// under a running service and check what clients see.
//
//   - The database stops (pg_ctl stop -m fast) or crashes (-m immediate)
//     while requests and a bulk load run: requests in the gap get 503 with
//     Retry-After in problem+json, never a hang or a 500; /readyz says not
//     ready; the service recovers by itself when the database is back; the
//     bulk load either completed or left nothing, and succeeds when re-run.
//   - A connection is killed mid-transaction (pg_terminate_backend): the
//     request gets 503 and nothing of it is written.
//   - A request stuck behind a lock ends with 503 at the request timeout,
//     and its statement is cancelled on the server too.
//   - A read replica (a streaming standby made with pg_basebackup) serves
//     Reader's reads, falls behind, goes down and comes back.
//
// The tests run on private clusters they own (made with intel/localdb in
// /tmp), never on the shared test cluster, which other tests use.
package resilience
