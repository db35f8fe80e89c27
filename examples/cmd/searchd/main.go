// Command searchd is an HTTP search service over Markdown documents: an
// in-memory inverted index with BM25 ranking, seeded at startup with a
// generated corpus and updatable through a JSON API. It prints
// "listening on <addr>" as its first line of output, and with -cpuprofile
// writes a CPU profile until SIGINT/SIGTERM.
//
// Endpoints:
//
//	GET    /search?q=…&limit=10  ranked hits with highlighted snippets
//	POST   /docs                 {"id", "title"?, "markdown"} adds or replaces a document
//	GET    /docs/{id}            the stored document
//	DELETE /docs/{id}            removes a document
//	GET    /stats                index size
//	GET    /healthz, /metrics
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/examples/lib/corpus"
	"example.com/examples/lib/httpx"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file until shutdown")
	seedDocs := flag.Int("seed-docs", 1000, "number of generated documents to index at startup")
	seed := flag.Uint64("seed", 1, "seed of the generated corpus")
	accessLog := flag.Bool("access-log", false, "log every request to stderr")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv := newServer(logger, *accessLog)
	start := time.Now()
	for _, d := range corpus.Documents(*seed, *seedDocs) {
		srv.addMarkdown(d.ID, d.Title, d.Markdown)
	}
	logger.Info("seeded index", "docs", *seedDocs, "took", time.Since(start).Round(time.Millisecond))

	err := httpx.Serve(ctx, httpx.Config{Addr: *addr, CPUProfile: *cpuProfile, Logger: logger}, srv.routes())
	if err != nil {
		logger.Error("searchd failed", "err", err)
		os.Exit(1)
	}
}
