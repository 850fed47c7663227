package httpapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel/postgres/pgtest"
)

func TestPersonLevelReadsNeedAPurposeAndAreAudited(t *testing.T) {
	h := newHarness(t)
	yp := id(h.must(201, "analyst", "POST", "/api/v1/people", youngPerson("YP-1", "E07000028")))
	// Without a purpose the read is refused and nothing is audited.
	req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/people/%d", yp), nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens["analyst"])
	resp, err := h.srv.App.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 {
		t.Fatalf("read without purpose: %d, want 400", resp.StatusCode)
	}
	h.must(200, "police", "GET", fmt.Sprintf("/api/v1/people?case_ref=CASE-YP-1&purpose=%s", "MACE+preparation"), nil)
	audit := h.must(200, "admin", "GET", fmt.Sprintf("/api/v1/audit?person_id=%d", yp), nil)
	items := audit["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("audit records for the person: %d, want 2 (create, read): %v", len(items), items)
	}
	create, read := items[0].(map[string]any), items[1].(map[string]any)
	if create["action"] != "create" || create["role"] != "analyst" || create["route"] != "POST /api/v1/people" {
		t.Fatalf("create record: %v", create)
	}
	if read["action"] != "read" || read["role"] != "police" || read["purpose"] != "automated test" {
		t.Fatalf("read record: %v", read)
	}
	// The case reference is a direct identifier: never in the audit params.
	if strings.Contains(fmt.Sprint(read["params"]), "CASE-YP-1") {
		t.Fatalf("case reference in the audit: %v", read["params"])
	}
	// Only admins read the audit.
	h.must(403, "analyst", "GET", "/api/v1/audit", nil)
	// The database itself refuses to change the audit log.
	_, err = h.db.Pool.Exec(context.Background(), `UPDATE audit_log SET purpose = 'nothing to see'`)
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("update of audit_log: %v, want refused as append-only", err)
	}
	_, err = h.db.Pool.Exec(context.Background(), `DELETE FROM audit_log`)
	if err == nil {
		t.Fatal("delete from audit_log succeeded")
	}
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper string
		seq    int64
		want   string
	}{
		{"altered", `UPDATE audit_log SET purpose = 'changed' WHERE seq = 3`, 3, "altered"},
		{"deleted", `DELETE FROM audit_log WHERE seq = 3`, 4, "removed"},
		// A forged record slipped in at 3, the rest renumbered after it; the
		// forger copies the real record's hashes but cannot key a new one.
		{"inserted", `UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3;
			UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000;
			INSERT INTO audit_log SELECT 3, at, actor, actor_label, role, action, route, params, person_ids,
			'forged', status, prev_hash, hash FROM audit_log WHERE seq = 4`, 3, "altered"},
		{"duplicate sequence", `ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
			INSERT INTO audit_log SELECT seq, at, actor, actor_label, role, action, route, params, person_ids,
			'forged', status, prev_hash, hash FROM audit_log WHERE seq = 3`, 3, "inserted"},
		{"reordered", `UPDATE audit_log SET seq = 1000 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3;
			UPDATE audit_log SET seq = 3 WHERE seq = 1000`, 2, "previous record's hash"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, adminURL := pgtest.FromTemplateURL(t, districtsTemplate(t))
			h := &harness{t: t, db: db, tokens: map[string]string{}}
			h.srv = newServer(db)
			h.tokens["analyst"] = h.token("analyst")
			for i := 0; i < 5; i++ {
				h.must(201, "analyst", "POST", "/api/v1/people", youngPerson(fmt.Sprintf("YP-%d", i), "E07000028"))
			}
			n, problems, err := db.VerifyAudit(context.Background())
			if err != nil || n != 5 || len(problems) != 0 {
				t.Fatalf("before tampering: checked %d, problems %v, err %v", n, problems, err)
			}
			// A superuser, behind the application's back, with triggers off.
			conn, err := pgx.Connect(context.Background(), adminURL)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), `SET session_replication_role = replica`); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(context.Background(), c.tamper); err != nil {
				t.Fatal(err)
			}
			_, problems, err = db.VerifyAudit(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range problems {
				if p.Seq == c.seq && strings.Contains(p.Reason, c.want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("verify did not report %q at record %d: %v", c.want, c.seq, problems)
			}
		})
	}
}
