package httpapi_test

import (
	"context"
	"net"
)

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
