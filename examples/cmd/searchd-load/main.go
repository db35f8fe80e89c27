// Command searchd-load sends search traffic to searchd: mostly queries drawn
// from the corpus vocabulary (terms, phrases, +required, -excluded), plus a
// share of document updates and lookups, from -concurrency clients for
// -duration (or -requests). It prints throughput and latency percentiles.
//
//	searchd-load -addr 127.0.0.1:8081 -duration 20s
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"example.com/examples/lib/corpus"
	"example.com/examples/lib/loadgen"
)

func main() {
	opts := loadgen.RegisterFlags(flag.CommandLine)
	numQueries := flag.Int("queries", 2000, "number of distinct queries to cycle through")
	writePercent := flag.Int("write-percent", 2, "percentage of requests that add or replace a document")
	flag.Parse()
	if err := run(opts, *numQueries, *writePercent); err != nil {
		fmt.Fprintln(os.Stderr, "searchd-load:", err)
		os.Exit(1)
	}
}

// searchResponse is the part of searchd's answer the driver checks.
type searchResponse struct {
	Total int `json:"total"`
	Hits  []struct {
		ID string `json:"id"`
	} `json:"hits"`
}

func run(opts *loadgen.Options, numQueries, writePercent int) error {
	base, err := loadgen.BaseURL(opts.Addr)
	if err != nil {
		return err
	}
	if numQueries < 1 {
		return fmt.Errorf("-queries must be positive")
	}
	queries := corpus.Queries(opts.Seed+1, numQueries)
	// Updates replace a bounded set of ids so the index does not grow
	// without limit during long runs.
	updates := corpus.Documents(opts.Seed+2, 200)
	bodies := make([][]byte, len(updates))
	for i, d := range updates {
		bodies[i], err = json.Marshal(map[string]string{"id": "load-" + d.ID, "markdown": d.Markdown})
		if err != nil {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := loadgen.NewHTTPClient(opts.Concurrency)
	report, err := loadgen.Run(ctx, opts.Config(), func(ctx context.Context, _ int, seq int64) error {
		switch r := int(seq % 100); {
		case r < writePercent:
			return post(ctx, client, base+"/docs", bodies[int(seq/100)%len(bodies)])
		case r == 99:
			return get(ctx, client, base+"/docs/"+fmt.Sprintf("doc-%05d", seq%500), nil)
		default:
			q := queries[int((seq*7919)%int64(len(queries)))]
			var res searchResponse
			if err := get(ctx, client, base+"/search?limit=10&q="+url.QueryEscape(q), &res); err != nil {
				return err
			}
			if len(res.Hits) > res.Total || len(res.Hits) > 10 {
				return fmt.Errorf("inconsistent result for %q: %d hits, total %d", q, len(res.Hits), res.Total)
			}
			return nil
		}
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

func get(ctx context.Context, c *http.Client, u string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	if into == nil || resp.StatusCode != http.StatusOK {
		// A 404 for a document the seed corpus lacks is still an error
		// worth counting: the driver only asks for ids it expects.
		_, err = loadgen.Drain(resp)
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(into)
}

func post(ctx context.Context, c *http.Client, u string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, err = loadgen.Drain(resp)
	return err
}
