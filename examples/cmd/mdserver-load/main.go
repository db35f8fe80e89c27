// Command mdserver-load sends Markdown rendering traffic to mdserver: it
// generates a corpus of engineering documents, POSTs them to /render from
// -concurrency clients for -duration (or -requests), checks every answer,
// and prints throughput and latency percentiles.
//
//	mdserver-load -addr 127.0.0.1:8080 -duration 20s
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"example.com/examples/lib/corpus"
	"example.com/examples/lib/loadgen"
)

func main() {
	opts := loadgen.RegisterFlags(flag.CommandLine)
	docs := flag.Int("docs", 300, "number of distinct documents to send")
	pageShare := flag.Int("page-percent", 10, "percentage of requests asking for a full page with contents")
	flag.Parse()
	if err := run(opts, *docs, *pageShare); err != nil {
		fmt.Fprintln(os.Stderr, "mdserver-load:", err)
		os.Exit(1)
	}
}

func run(opts *loadgen.Options, numDocs, pagePercent int) error {
	base, err := loadgen.BaseURL(opts.Addr)
	if err != nil {
		return err
	}
	if numDocs < 1 {
		return fmt.Errorf("-docs must be positive")
	}
	docs := corpus.Documents(opts.Seed, numDocs)
	bodies := make([][]byte, len(docs))
	total := 0
	for i, d := range docs {
		bodies[i] = []byte(d.Markdown)
		total += len(bodies[i])
	}
	fmt.Printf("corpus: %d documents, %d KiB, average %d bytes\n", len(docs), total>>10, total/len(docs))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := loadgen.NewHTTPClient(opts.Concurrency)
	report, err := loadgen.Run(ctx, opts.Config(), func(ctx context.Context, _ int, seq int64) error {
		// Walk the corpus with a stride coprime to most sizes so
		// consecutive requests get unrelated documents.
		i := int((seq * 7919) % int64(len(bodies)))
		url := base + "/render"
		if int(seq%100) < pagePercent {
			url += "?page=1&toc=1"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bodies[i]))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "text/markdown; charset=utf-8")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		n, err := loadgen.Drain(resp)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("empty response for %s", docs[i].ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := report.WriteText(os.Stdout); err != nil {
		return err
	}
	if report.Requests > 0 && report.Errors == report.Requests {
		return fmt.Errorf("every request failed")
	}
	return nil
}
