package httpx

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.com/examples/lib/metrics"
)

func TestServeAnnouncesProfilesAndShutsDown(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "cpu.pprof")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", HealthHandler("test", time.Now()))
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, Config{
			Addr:       "127.0.0.1:0",
			CPUProfile: profile,
			Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
			Stdout:     pw,
		}, mux)
		pw.Close()
	}()

	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Fatalf("first line = %q", line)
	}
	go io.Copy(io.Discard, pr)

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h Health
	err = json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if err != nil || h.Status != "ok" || h.Service != "test" || h.Process.Goroutines == 0 {
		t.Fatalf("health = %+v, %v", h, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if st, err := os.Stat(profile); err != nil || st.Size() == 0 {
		t.Fatalf("profile not written: %v", err)
	}
}

func TestServeListenError(t *testing.T) {
	err := Serve(context.Background(), Config{Addr: "256.0.0.1:99999", Stdout: io.Discard}, http.NotFoundHandler())
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("err = %v", err)
	}
}

func TestInstrumentAndAccessLog(t *testing.T) {
	reg := metrics.NewRegistry()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	h := AccessLog(logger, Instrument(reg, "/x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("fail") {
			WriteError(w, http.StatusTeapot, "nope")
			return
		}
		_, _ = io.WriteString(w, "hello")
	})))
	for _, target := range []string{"/x", "/x", "/x?fail=1"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}
	if got := reg.Counter(`http_requests_total{route="/x",code="2xx"}`).Value(); got != 2 {
		t.Errorf("2xx = %d", got)
	}
	if got := reg.Counter(`http_requests_total{route="/x",code="4xx"}`).Value(); got != 1 {
		t.Errorf("4xx = %d", got)
	}
	if got := reg.Histogram(`http_request_duration_seconds{route="/x"}`).Snapshot().Count(); got != 3 {
		t.Errorf("latency count = %d", got)
	}
	if !strings.Contains(logs.String(), "status=418") || !strings.Contains(logs.String(), "bytes=5") {
		t.Errorf("access log lacks status/bytes:\n%s", logs.String())
	}
}

func TestRecover(t *testing.T) {
	var logs bytes.Buffer
	h := Recover(slog.New(slog.NewTextHandler(&logs, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), "boom") {
		t.Fatalf("code %d, logs %q", rec.Code, logs.String())
	}
}

func TestDecodeJSON(t *testing.T) {
	type req struct {
		Name string `json:"name"`
	}
	cases := []struct {
		body   string
		status int
	}{
		{`{"name":"ok"}`, 0},
		{`{"name":"ok","extra":1}`, http.StatusBadRequest},
		{`{"name":`, http.StatusBadRequest},
		{`{"name":"a"} {"name":"b"}`, http.StatusBadRequest},
		{`{"name":"` + strings.Repeat("x", 200) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		var v req
		err := DecodeJSON(httptest.NewRecorder(), httptest.NewRequest("POST", "/", strings.NewReader(c.body)), &v, 100)
		status := 0
		if re, ok := err.(*RequestError); ok {
			status = re.Status
		} else if err != nil {
			t.Fatalf("unexpected error type %T", err)
		}
		if status != c.status {
			t.Errorf("DecodeJSON(%.30q) status %d, want %d (%v)", c.body, status, c.status, err)
		}
	}
}
