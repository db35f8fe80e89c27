// Command mdserver is an HTTP service that renders Markdown to HTML, the
// scenario of the Go blog's PGO walkthrough: POST /render takes Markdown and
// returns HTML. It prints "listening on <addr>" as its first line of output,
// and with -cpuprofile writes a CPU profile until SIGINT/SIGTERM.
//
// Endpoints:
//
//	POST /render            body: Markdown; ?page=1 wraps the HTML in a page, ?toc=1 adds contents
//	GET  /                  a form to paste Markdown into
//	GET  /static/style.css  the page stylesheet
//	GET  /healthz           JSON health and process stats
//	GET  /metrics           Prometheus text metrics
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
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file until shutdown")
	maxBody := flag.Int64("max-body", 1<<20, "largest accepted request body, in bytes")
	accessLog := flag.Bool("access-log", false, "log every request to stderr")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv := newServer(config{maxBody: *maxBody, accessLog: *accessLog, logger: logger})
	err := httpx.Serve(ctx, httpx.Config{Addr: *addr, CPUProfile: *cpuProfile, Logger: logger}, srv.routes())
	if err != nil {
		logger.Error("mdserver failed", "err", err)
		os.Exit(1)
	}
}
