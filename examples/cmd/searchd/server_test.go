package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/examples/lib/search"
)

func call(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
	return rec
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

func newTestServer() (*server, http.Handler) {
	s := newServer(nil, false)
	s.addMarkdown("pgo", "", "# Profile-guided optimization\n\nBuild with a **CPU profile** so the compiler inlines hot code.\n")
	s.addMarkdown("cache", "Cache tuning", "Raise the `cache` size when the hit ratio drops.\n\n- watch latency\n")
	return s, s.routes()
}

func TestSearchEndpoint(t *testing.T) {
	_, h := newTestServer()
	rec := call(t, h, "GET", "/search?q=profile+compiler", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	res := decode[search.Results](t, rec)
	if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].ID != "pgo" || res.Hits[0].Title != "Profile-guided optimization" {
		t.Fatalf("results %+v", res)
	}
	// Markdown syntax is not indexed, and the snippet highlights terms.
	if !strings.Contains(res.Hits[0].Snippet, "<mark>profile</mark>") || strings.Contains(res.Hits[0].Snippet, "**") {
		t.Fatalf("snippet %q", res.Hits[0].Snippet)
	}
}

func TestSearchValidation(t *testing.T) {
	_, h := newTestServer()
	for _, target := range []string{"/search", "/search?q=%20", "/search?q=x&limit=0", "/search?q=x&limit=abc"} {
		if rec := call(t, h, "GET", target, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d", target, rec.Code)
		}
	}
	if rec := call(t, h, "GET", "/search?q=cache&limit=1000", ""); rec.Code != http.StatusOK {
		t.Errorf("large limit should be clamped, got %d", rec.Code)
	}
}

func TestDocumentLifecycle(t *testing.T) {
	s, h := newTestServer()
	rec := call(t, h, "POST", "/docs", `{"id":"runbook","markdown":"# On-call runbook\n\nRestart the *worker*."}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	if got := decode[map[string]string](t, rec); got["title"] != "On-call runbook" {
		t.Fatalf("add response %v", got)
	}
	if res := decode[search.Results](t, call(t, h, "GET", "/search?q=restart", "")); res.Total != 1 || res.Hits[0].ID != "runbook" {
		t.Fatalf("search after add: %+v", res)
	}
	doc := decode[search.Document](t, call(t, h, "GET", "/docs/runbook", ""))
	if doc.Body != "On-call runbook\nRestart the worker.\n" {
		t.Fatalf("stored body %q", doc.Body)
	}
	if rec := call(t, h, "DELETE", "/docs/runbook", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d", rec.Code)
	}
	if rec := call(t, h, "GET", "/docs/runbook", ""); rec.Code != http.StatusNotFound {
		t.Fatalf("get after delete: %d", rec.Code)
	}
	if rec := call(t, h, "DELETE", "/docs/runbook", ""); rec.Code != http.StatusNotFound {
		t.Fatalf("second delete: %d", rec.Code)
	}
	for _, bad := range []string{`{"id":""}`, `{"id":"a/b"}`, `{"id":"x","unknown":1}`, `not json`} {
		if rec := call(t, h, "POST", "/docs", bad); rec.Code != http.StatusBadRequest {
			t.Errorf("POST %s: %d", bad, rec.Code)
		}
	}
	if stats := decode[search.Stats](t, call(t, h, "GET", "/stats", "")); stats.Documents != 2 || s.index.Len() != 2 {
		t.Fatalf("stats %+v", stats)
	}
	if m := call(t, h, "GET", "/metrics", "").Body.String(); !strings.Contains(m, "search_queries_total 1\n") {
		t.Fatalf("metrics:\n%s", m)
	}
}
