package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

const sample = "# Release notes\n\n" +
	"The \"render\" path is *profile-guided* -- see https://go.dev/doc/pgo.\n\n" +
	"| op | ns |\n|----|---:|\n| render | 42 |\n\n" +
	"Raw <b>HTML</b> stays text.  \nLine break.\n"

const sampleHTML = "<h1>Release notes</h1>\n" +
	"<p>The “render” path is <em>profile-guided</em> – see <a href=\"https://go.dev/doc/pgo\">https://go.dev/doc/pgo</a>.</p>\n" +
	"<table>\n<thead>\n<tr>\n<th>op</th>\n<th style=\"text-align:right\">ns</th>\n</tr>\n</thead>\n" +
	"<tbody>\n<tr>\n<td>render</td>\n<td style=\"text-align:right\">42</td>\n</tr>\n</tbody>\n</table>\n" +
	"<p>Raw &lt;b&gt;HTML&lt;/b&gt; stays text.<br />\nLine break.</p>\n"

func TestRenderWithTheBlogOptions(t *testing.T) {
	h := newServer(config{maxBody: 1 << 20}).routes()
	rec := do(t, h, "POST", "/render", "text/markdown", sample)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := rec.Body.String(); got != sampleHTML {
		t.Fatalf("body:\n%s\nwant:\n%s", got, sampleHTML)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cl := rec.Header().Get("Content-Length"); cl != fmt.Sprint(len(sampleHTML)) {
		t.Fatalf("Content-Length %q, want %d", cl, len(sampleHTML))
	}
}

// curl --data-binary sends application/x-www-form-urlencoded; the body is
// Markdown all the same, never parsed as a form.
func TestRenderIgnoresContentType(t *testing.T) {
	h := newServer(config{maxBody: 1 << 20}).routes()
	body := "markdown=**not a form**&x=1"
	want := "<p>markdown=<strong>not a form</strong>&amp;x=1</p>\n"
	for _, ct := range []string{"", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream", "multipart/form-data; boundary=x", "nonsense;;"} {
		rec := do(t, h, "POST", "/render", ct, body)
		if rec.Code != http.StatusOK || rec.Body.String() != want {
			t.Errorf("Content-Type %q: status %d body %q, want %q", ct, rec.Code, rec.Body, want)
		}
	}
}

func TestRenderEmptyBody(t *testing.T) {
	h := newServer(config{maxBody: 1 << 20}).routes()
	rec := do(t, h, "POST", "/render", "", "")
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "0" {
		t.Fatalf("status %d, %d bytes, Content-Length %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Length"))
	}
}

func TestRenderSizeLimit(t *testing.T) {
	h := newServer(config{maxBody: 64}).routes()
	if rec := do(t, h, "POST", "/render", "", strings.Repeat("x", 64)); rec.Code != http.StatusOK {
		t.Fatalf("64 bytes: status %d: %s", rec.Code, rec.Body)
	}
	rec := do(t, h, "POST", "/render", "", strings.Repeat("x", 65))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("65 bytes: status %d: %s", rec.Code, rec.Body)
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error != "markdown exceeds 64 bytes" {
		t.Fatalf("413 body %q (%v)", rec.Body, err)
	}
	// The pooled buffers of the refused request must not leak into the next.
	if rec := do(t, h, "POST", "/render", "", "*ok*"); rec.Body.String() != "<p><em>ok</em></p>\n" {
		t.Fatalf("after 413: %q", rec.Body)
	}
}

func TestOtherMethodsAndPaths(t *testing.T) {
	h := newServer(config{maxBody: 1 << 20}).routes()
	for _, m := range []string{"GET", "PUT", "DELETE", "PATCH"} {
		rec := do(t, h, m, "/render", "", "# x")
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s /render: status %d", m, rec.Code)
		}
		if allow := rec.Header().Get("Allow"); allow != "POST" {
			t.Errorf("%s /render: Allow %q", m, allow)
		}
	}
	if rec := do(t, h, "POST", "/healthz", "", ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: status %d", rec.Code)
	}
	for _, p := range []string{"/", "/render/x", "/nope"} {
		if rec := do(t, h, "POST", p, "", "# x"); rec.Code != http.StatusNotFound {
			t.Errorf("POST %s: status %d", p, rec.Code)
		}
	}
}

func TestHealthMetricsAndPprof(t *testing.T) {
	h := newServer(config{maxBody: 1 << 20}).routes()
	do(t, h, "POST", "/render", "", "hello")
	do(t, h, "POST", "/render", "", strings.Repeat("y", 2<<20))

	rec := do(t, h, "GET", "/healthz", "", "")
	var health struct {
		Status  string `json:"status"`
		Service string `json:"service"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &health); err != nil || health.Status != "ok" || health.Service != "mdrender" {
		t.Fatalf("healthz: %s (%v)", rec.Body, err)
	}

	metricsText := do(t, h, "GET", "/metrics", "", "").Body.String()
	for _, want := range []string{
		`http_requests_total{route="/render",code="2xx"} 1`,
		`http_requests_total{route="/render",code="4xx"} 1`,
		"markdown_input_bytes_total 5",
		"markdown_output_bytes_total 13", // "<p>hello</p>\n"
	} {
		if !strings.Contains(metricsText, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, metricsText)
		}
	}

	if rec := do(t, h, "GET", "/debug/pprof/", "", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("/debug/pprof/: status %d:\n%s", rec.Code, rec.Body)
	}
	if rec := do(t, h, "GET", "/debug/pprof/heap?debug=1", "", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "heap profile") {
		t.Errorf("/debug/pprof/heap: status %d", rec.Code)
	}
	if rec := do(t, h, "GET", "/debug/pprof/cmdline", "", ""); rec.Code != http.StatusOK {
		t.Errorf("/debug/pprof/cmdline: status %d", rec.Code)
	}
}

// Over real connections, concurrent requests of different documents each
// get their own document's HTML (the renderer and the buffer pool are
// shared), and a plain POST the way curl --data-binary sends it works.
func TestConcurrentRequestsOverHTTP(t *testing.T) {
	srv := httptest.NewServer(newServer(config{maxBody: 1 << 20}).routes())
	defer srv.Close()

	const workers, perWorker = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				n := w*perWorker + i
				src := fmt.Sprintf("## Doc %d\n\n%s\n", n, strings.Repeat(fmt.Sprintf("word%d ", n), n%50+1))
				resp, err := http.Post(srv.URL+"/render", "application/x-www-form-urlencoded", bytes.NewReader([]byte(src)))
				if err != nil {
					errs <- err
					return
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					errs <- err
					return
				}
				want := fmt.Sprintf("<h2>Doc %d</h2>\n<p>%s</p>\n", n, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("word%d ", n), n%50+1), " "))
				if resp.StatusCode != http.StatusOK || string(got) != want {
					errs <- fmt.Errorf("doc %d: status %d body %q, want %q", n, resp.StatusCode, got, want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
