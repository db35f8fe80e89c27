// Command mdrender is the service of the Go blog's PGO walkthrough
// (https://go.dev/blog/pgo) built on the library the blog uses,
// gitlab.com/golang-commonmark/markdown: POST /render takes a Markdown
// body and answers with its HTML. Its default.pgo is the blog's own profile
// of that service, so `go build` here is the blog's PGO build.
//
// It prints "listening on <addr>" as its first line of output, and with
// -cpuprofile writes a CPU profile until SIGINT/SIGTERM.
//
// Endpoints:
//
//	POST /render         body: Markdown, whatever the Content-Type; answers text/html
//	GET  /healthz        JSON health and process stats
//	GET  /metrics        Prometheus text metrics
//	GET  /debug/pprof/   runtime profiles (net/http/pprof), e.g. /debug/pprof/profile?seconds=30
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"example.com/examples/lib/httpx"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file until shutdown (/debug/pprof/profile is then busy)")
	maxBody := flag.Int64("max-body", 4<<20, "largest accepted Markdown body, in bytes")
	accessLog := flag.Bool("access-log", false, "log every request to stderr")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv := newServer(config{maxBody: *maxBody, accessLog: *accessLog, logger: logger})
	err := httpx.Serve(ctx, httpx.Config{Addr: *addr, CPUProfile: *cpuProfile, Logger: logger}, srv.routes())
	if err != nil {
		logger.Error("mdrender failed", "err", err)
		os.Exit(1)
	}
}
