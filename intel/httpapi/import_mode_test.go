package httpapi_test

import (
	"strings"
	"testing"
)

// ?mode= is checked (400 naming it) and passed on. A forced initial load
// (it locks the events tables for everyone) is refused over HTTP: it is
// for operators at the command line.
func TestImportModeParam(t *testing.T) {
	h := newHarness(t)
	r := h.send("analyst", "/api/v1/import?mode=fast", "application/x-ndjson", []byte(importNDJSON))
	if r.Status != 400 || !strings.Contains(string(r.Body), `"mode"`) {
		t.Fatalf("mode=fast: %d %s", r.Status, r.Body)
	}
	r = h.send("analyst", "/api/v1/import?mode=initial", "application/x-ndjson", []byte(importNDJSON))
	if r.Status != 400 || !strings.Contains(string(r.Body), `"mode"`) || !strings.Contains(string(r.Body), "--mode initial") {
		t.Fatalf("mode=initial over HTTP: %d %s, want 400 naming mode", r.Status, r.Body)
	}
	r = h.send("analyst", "/api/v1/import?mode=normal", "application/x-ndjson", []byte(importNDJSON))
	if r.Status != 200 || r.json(t)["initial_load_batches"] != 0.0 {
		t.Fatalf("mode=normal: %d %s", r.Status, r.Body)
	}
	if c := r.json(t)["counts"].(map[string]any)["event"].(map[string]any); c["inserted"] != 1.0 {
		t.Errorf("event: %v", c)
	}
	r = h.send("analyst", "/api/v1/import?mode=auto", "application/x-ndjson", []byte(importNDJSON))
	if r.Status != 200 || r.json(t)["initial_load_batches"] != 0.0 {
		t.Fatalf("mode=auto, a small batch: %d %s", r.Status, r.Body)
	}
	if c := r.json(t)["counts"].(map[string]any)["event"].(map[string]any); c["unchanged"] != 1.0 {
		t.Errorf("event again: %v", c)
	}
}
