package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"example.com/examples/lib/logrec"
)

func generated(t *testing.T, lines int) []byte {
	t.Helper()
	g := logrec.NewGenerator(9, time.Date(2025, 11, 21, 6, 0, 0, 0, time.UTC), 50)
	g.MalformedRate = 0.002
	var buf bytes.Buffer
	if _, err := g.GenerateTo(&buf, lines); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReportDoesNotDependOnWorkers(t *testing.T) {
	input := generated(t, 20000) // ~4.5 MB: several chunks
	one, err := process(context.Background(), bytes.NewReader(input), 1)
	if err != nil {
		t.Fatal(err)
	}
	four, err := process(context.Background(), bytes.NewReader(input), 4)
	if err != nil {
		t.Fatal(err)
	}
	r1, r4 := one.Report(5), four.Report(5)
	if !reflect.DeepEqual(r1, r4) {
		a, _ := json.Marshal(r1)
		b, _ := json.Marshal(r4)
		t.Fatalf("reports differ:\n%s\n%s", a, b)
	}

	if r1.Input.Lines != 20000 || r1.Input.Parsed+r1.Input.Malformed != 20000 || r1.Input.Malformed == 0 {
		t.Fatalf("input stats %+v", r1.Input)
	}
	sum := 0
	for _, n := range r1.Status {
		sum += n
	}
	var routeSum int64
	for _, rt := range r1.Routes {
		routeSum += rt.Requests
	}
	if int64(sum) != r1.Input.Parsed || routeSum != r1.Input.Parsed {
		t.Fatalf("status sum %d, route sum %d, parsed %d", sum, routeSum, r1.Input.Parsed)
	}
	if len(r1.TopClients) != 5 || len(r1.Malformed) != maxErrorSamples || r1.Window.PeakMinuteRequests == 0 {
		t.Fatalf("report %+v", r1)
	}
	// The generator's busiest routes group by placeholder.
	routes := map[string]bool{}
	for _, rt := range r1.Routes {
		routes[rt.Route] = true
	}
	for _, want := range []string{"GET /products/:sku", "GET /static/app.*.js", "GET /api/v1/orders/:id", "DELETE /api/v1/cart/items/:id"} {
		if !routes[want] {
			t.Errorf("missing route %q in %v", want, routes)
		}
	}
}

func TestNormalizeRoute(t *testing.T) {
	cases := map[string]string{
		"":                      "/",
		"/":                     "/",
		"/api/v1/orders/12345":  "/api/v1/orders/:id",
		"/products/p10023":      "/products/:sku",
		"/static/app.p10023.js": "/static/app.*.js",
		"/static/vendor.min.js": "/static/vendor.min.js",
		"/users/42/orders/7/":   "/users/:id/orders/:id/",
		"/api/v1/search":        "/api/v1/search",
		"/productsp1":           "/productsp1",
	}
	for in, want := range cases {
		if got := normalizeRoute(in); got != want {
			t.Errorf("normalizeRoute(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAgentFamily(t *testing.T) {
	cases := map[string]string{
		"Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0": "edge",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36":             "chrome",
		"Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15":                     "safari",
		"Mozilla/5.0 (X11; rv:132.0) Gecko/20100101 Firefox/132.0":                                      "firefox",
		"Mozilla/5.0 (compatible; Googlebot/2.1)":                                                       "bot",
		"kube-probe/1.31": "health-check",
		"curl/8.5.0":      "script",
		"-":               "unknown",
		"Lynx/2.9":        "other",
	}
	for in, want := range cases {
		if got := agentFamily(in); got != want {
			t.Errorf("agentFamily(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLongLineAndCRLF(t *testing.T) {
	long := "x" + strings.Repeat("y", chunkSize+10) + "\n"
	ok := `1.2.3.4 - - [21/Nov/2025:05:15:02 +0000] "GET /a/1 HTTP/1.1" 200 10 "-" "curl/8.5.0" 0.010` + "\r\n"
	agg, err := process(context.Background(), strings.NewReader(ok+long+ok), 2)
	if err != nil {
		t.Fatal(err)
	}
	r := agg.Report(3)
	if r.Input.Lines != 3 || r.Input.Malformed != 1 || r.Routes[0].Route != "GET /a/:id" || r.Routes[0].Requests != 2 {
		t.Fatalf("report %+v", r)
	}
}

func TestRunGenerateThenAnalyze(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	reportPath := filepath.Join(dir, "report.json")
	profilePath := filepath.Join(dir, "cpu.pprof")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	if err := run(options{generate: 3000, seed: 2, rate: 100, out: logPath}, quiet); err != nil {
		t.Fatal(err)
	}
	err := run(options{in: logPath, out: reportPath, workers: 2, repeat: 3, top: 3, cpuProfile: profilePath}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if r.Passes != 3 || r.Input.Lines != 3000 || len(r.TopClients) != 3 {
		t.Fatalf("report %s", data)
	}
	if st, err := os.Stat(profilePath); err != nil || st.Size() == 0 {
		t.Fatalf("profile: %v", err)
	}
	if err := run(options{in: "-", repeat: 2, workers: 1}, quiet); err == nil {
		t.Fatal("repeat over stdin should be rejected")
	}
}
