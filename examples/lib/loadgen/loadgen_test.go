package loadgen

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunCountsRequestsAndErrors(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%10 == 0 {
			http.Error(w, "flaky", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()

	client := NewHTTPClient(4)
	seen := make([]atomic.Bool, 200)
	rep, err := Run(context.Background(), Config{Concurrency: 4, Requests: 200}, func(ctx context.Context, _ int, seq int64) error {
		seen[seq].Store(true)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/x", nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = Drain(resp)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests != 200 || rep.Errors != 20 || rep.Latency.Count() != 180 {
		t.Fatalf("requests %d errors %d ok %d", rep.Requests, rep.Errors, rep.Latency.Count())
	}
	for i := range seen {
		if !seen[i].Load() {
			t.Fatalf("sequence number %d never issued", i)
		}
	}
	if len(rep.ErrorSamples) != maxErrorSamples || !strings.Contains(rep.ErrorSamples[0], "status 503") {
		t.Fatalf("samples = %q", rep.ErrorSamples)
	}
	var sb strings.Builder
	if err := rep.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sb.String(), "requests: 200 (20 errors) in ") || !strings.Contains(sb.String(), "latency: p50=") {
		t.Fatalf("report:\n%s", sb.String())
	}
}

func TestRunStopsAtDuration(t *testing.T) {
	start := time.Now()
	rep, err := Run(context.Background(), Config{Concurrency: 2, Duration: 100 * time.Millisecond}, func(ctx context.Context, _ int, _ int64) error {
		select {
		case <-time.After(5 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("run took %v", took)
	}
	// Requests cut off by the deadline are neither errors nor samples.
	if rep.Errors != 0 || rep.Requests < 5 || rep.RequestsPerSecond() <= 0 {
		t.Fatalf("report %+v", rep)
	}
}

func TestRunNeedsALimit(t *testing.T) {
	if _, err := Run(context.Background(), Config{}, nil); !errors.Is(err, ErrNoLimit) {
		t.Fatalf("err = %v", err)
	}
}

func TestBaseURLAndFlags(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:8080":         "http://127.0.0.1:8080",
		"http://localhost:9000/": "http://localhost:9000",
		"https://x.example.com":  "https://x.example.com",
	}
	for in, want := range cases {
		if got, err := BaseURL(in); err != nil || got != want {
			t.Errorf("BaseURL(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "no-port"} {
		if _, err := BaseURL(bad); err == nil {
			t.Errorf("BaseURL(%q) accepted", bad)
		}
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	o := RegisterFlags(fs)
	if err := fs.Parse([]string{"-addr", "h:1", "-duration", "3s", "-requests", "7", "-concurrency", "3"}); err != nil {
		t.Fatal(err)
	}
	if c := o.Config(); c != (Config{Concurrency: 3, Duration: 3 * time.Second, Requests: 7}) || o.Addr != "h:1" || o.Seed != 1 {
		t.Fatalf("options %+v", o)
	}
}
