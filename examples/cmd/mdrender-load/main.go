// Command mdrender-load sends Markdown rendering traffic to mdrender, the
// way the Go blog's PGO walkthrough loads its service: it POSTs Markdown
// documents to /render from -concurrency clients for -duration (or
// -requests), checks every answer, and prints requests/s and latency
// percentiles.
//
// The documents are generated engineering docs (examples/lib/corpus), or
// the given files: `-file README.md` replays one real README as the blog
// does, and -file may be repeated.
//
//	mdrender-load -addr 127.0.0.1:8080 -duration 20s
//	mdrender-load -addr 127.0.0.1:8080 -requests 5000 -file ../README.md
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"example.com/examples/lib/corpus"
	"example.com/examples/lib/loadgen"
)

// fileList collects repeated -file flags.
type fileList []string

func (f *fileList) String() string { return strings.Join(*f, ",") }

func (f *fileList) Set(path string) error {
	*f = append(*f, path)
	return nil
}

// document is one request body.
type document struct {
	name     string
	markdown []byte
}

func main() {
	opts := loadgen.RegisterFlags(flag.CommandLine)
	docs := flag.Int("docs", 300, "number of distinct generated documents to send (without -file)")
	var files fileList
	flag.Var(&files, "file", "send this Markdown file instead of generated documents (repeatable)")
	flag.Parse()
	if err := run(opts, *docs, files); err != nil {
		fmt.Fprintln(os.Stderr, "mdrender-load:", err)
		os.Exit(1)
	}
}

// loadDocuments reads the -file documents, or generates numDocs.
func loadDocuments(seed uint64, numDocs int, files []string) ([]document, error) {
	if len(files) > 0 {
		docs := make([]document, 0, len(files))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			if len(bytes.TrimSpace(b)) == 0 {
				return nil, fmt.Errorf("%s is empty: it would render to nothing", f)
			}
			docs = append(docs, document{name: f, markdown: b})
		}
		return docs, nil
	}
	if numDocs < 1 {
		return nil, fmt.Errorf("-docs must be positive")
	}
	generated := corpus.Documents(seed, numDocs)
	docs := make([]document, len(generated))
	for i, d := range generated {
		docs[i] = document{name: d.ID, markdown: []byte(d.Markdown)}
	}
	return docs, nil
}

func run(opts *loadgen.Options, numDocs int, files []string) error {
	base, err := loadgen.BaseURL(opts.Addr)
	if err != nil {
		return err
	}
	docs, err := loadDocuments(opts.Seed, numDocs, files)
	if err != nil {
		return err
	}
	total := 0
	for _, d := range docs {
		total += len(d.markdown)
	}
	fmt.Printf("documents: %d, %d KiB, average %d bytes\n", len(docs), total>>10, total/len(docs))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := loadgen.NewHTTPClient(opts.Concurrency)
	url := base + "/render"
	report, err := loadgen.Run(ctx, opts.Config(), func(ctx context.Context, _ int, seq int64) error {
		// Walk the documents with a stride coprime to most sizes so
		// consecutive requests get unrelated documents.
		d := docs[int((seq*7919)%int64(len(docs)))]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.markdown))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "text/markdown; charset=utf-8")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		return checkHTML(resp, d.name)
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

// checkHTML drains a /render answer and checks that it is a non-empty HTML
// fragment: a server answering 200 with garbage is not a fast server.
func checkHTML(resp *http.Response, name string) error {
	var first [1]byte
	n, readErr := io.ReadFull(resp.Body, first[:])
	// Drain closes the body and reports a non-2xx status first.
	if _, err := loadgen.Drain(resp); err != nil {
		return err
	}
	if readErr != nil && readErr != io.EOF {
		return readErr
	}
	if n == 0 {
		return fmt.Errorf("empty response for %s", name)
	}
	if first[0] != '<' {
		return fmt.Errorf("response for %s is not HTML (starts with %q)", name, first[0])
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		return fmt.Errorf("response for %s has Content-Type %q", name, ct)
	}
	return nil
}
