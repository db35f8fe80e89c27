package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func do(t *testing.T, h http.Handler, method, target, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRenderFragment(t *testing.T) {
	h := newServer(config{maxBody: 1 << 20}).routes()
	rec := do(t, h, "POST", "/render", "text/markdown", "# Hello\n\nSome *text* and [a link](https://go.dev).\n")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	want := `<h1 id="hello">Hello</h1>` + "\n" + `<p>Some <em>text</em> and <a href="https://go.dev" rel="nofollow">a link</a>.</p>` + "\n"
	if rec.Body.String() != want {
		t.Fatalf("body:\n%s\nwant:\n%s", rec.Body, want)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
}

func TestRenderPageWithTOC(t *testing.T) {
	h := newServer(config{maxBody: 1 << 20}).routes()
	rec := do(t, h, "POST", "/render?page=1&toc=1", "", "# Guide\n\n## Install\n\n## Use <it>\n")
	body := rec.Body.String()
	for _, want := range []string{"<!doctype html>", "<title>Guide</title>", `<a href="#install">Install</a>`, `<h2 id="use-it">Use &lt;it&gt;</h2>`, "Rendered by mdserver"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
}

func TestRenderForm(t *testing.T) {
	h := newServer(config{maxBody: 1 << 20}).routes()
	form := url.Values{"markdown": {"**form** input"}}.Encode()
	rec := do(t, h, "POST", "/render", "application/x-www-form-urlencoded", form)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<p><strong>form</strong> input</p>") || !strings.Contains(rec.Body.String(), "<!doctype html>") {
		t.Fatalf("status %d:\n%s", rec.Code, rec.Body)
	}
}

func TestRenderRejectsLargeBodyAndWrongMethod(t *testing.T) {
	s := newServer(config{maxBody: 64})
	h := s.routes()
	rec := do(t, h, "POST", "/render", "", strings.Repeat("x", 65))
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "exceeds 64 bytes") {
		t.Fatalf("large body: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, h, "GET", "/render", "", ""); rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /render: %d", rec.Code)
	}
	if rec := do(t, h, "GET", "/nope", "", ""); rec.Code != http.StatusNotFound {
		t.Fatalf("GET /nope: %d", rec.Code)
	}
}

func TestHealthMetricsIndexAndStylesheet(t *testing.T) {
	h := newServer(config{maxBody: 1 << 20}).routes()
	do(t, h, "POST", "/render", "", "hello")

	rec := do(t, h, "GET", "/healthz", "", "")
	var health struct {
		Status  string `json:"status"`
		Service string `json:"service"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &health); err != nil || health.Status != "ok" || health.Service != "mdserver" {
		t.Fatalf("healthz: %s (%v)", rec.Body, err)
	}

	metricsText := do(t, h, "GET", "/metrics", "", "").Body.String()
	for _, want := range []string{`http_requests_total{route="/render",code="2xx"} 1`, "markdown_input_bytes_total 5", "markdown_output_bytes_total 13"} {
		if !strings.Contains(metricsText, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, metricsText)
		}
	}
	if rec := do(t, h, "GET", "/", "", ""); !strings.Contains(rec.Body.String(), `<form method="post" action="/render?page=1">`) {
		t.Errorf("index:\n%s", rec.Body)
	}
	if rec := do(t, h, "GET", "/static/style.css", "", ""); rec.Header().Get("Content-Type") != "text/css; charset=utf-8" || rec.Body.Len() < 100 {
		t.Errorf("stylesheet: %q, %d bytes", rec.Header().Get("Content-Type"), rec.Body.Len())
	}
}
