package httpapi_test

import (
	"context"
	"net"
	"testing"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/demo/demotest"
)

// newDemoHarness is a harness on a copy of the Cumbria demo, with one token
// per role (district: Carlisle).
func newDemoHarness(t *testing.T) *harness {
	t.Helper()
	db := demotest.New(t)
	h := &harness{t: t, db: db, tokens: map[string]string{}}
	h.srv = newServer(db)
	for _, r := range []intel.Role{intel.RoleAdmin, intel.RoleAnalyst, intel.RolePolice, intel.RolePartner} {
		h.tokens[string(r)] = h.token(r)
	}
	h.tokens["district"] = h.token(intel.RoleDistrict, "E07000028")
	return h
}

// listen serves the harness on a real loopback listener and returns its
// base URL; the server stops when the test ends.
func (h *harness) listen() string {
	h.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	go func() { _ = h.srv.App.Listener(ln) }()
	h.t.Cleanup(func() { _ = h.srv.App.ShutdownWithContext(context.Background()) })
	return "http://" + ln.Addr().String()
}
