package loadgen

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Options are the flags every load driver shares.
type Options struct {
	Addr        string
	Duration    time.Duration
	Requests    int64
	Concurrency int
	Seed        uint64
}

// RegisterFlags defines -addr, -duration, -requests, -concurrency and -seed
// on fs and returns where their values land.
func RegisterFlags(fs *flag.FlagSet) *Options {
	o := &Options{}
	fs.StringVar(&o.Addr, "addr", "", "service address, host:port or http://host:port (required)")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to send load (0 with -requests for a count-only run)")
	fs.Int64Var(&o.Requests, "requests", 0, "stop after this many requests (0: no limit)")
	fs.IntVar(&o.Concurrency, "concurrency", 8, "number of concurrent clients")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed for the generated documents and queries")
	return o
}

// Config converts the options into a run configuration.
func (o *Options) Config() Config {
	return Config{Concurrency: o.Concurrency, Duration: o.Duration, Requests: o.Requests}
}

// BaseURL turns "127.0.0.1:8080" or "http://127.0.0.1:8080/" into
// "http://127.0.0.1:8080".
func BaseURL(addr string) (string, error) {
	addr = strings.TrimSuffix(addr, "/")
	if addr == "" {
		return "", fmt.Errorf("missing -addr")
	}
	if strings.HasPrefix(addr, "http://") || strings.HasPrefix(addr, "https://") {
		return addr, nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", fmt.Errorf("invalid -addr %q: %w", addr, err)
	}
	return "http://" + addr, nil
}

// NewHTTPClient returns a client that keeps one idle connection per worker,
// so a run measures the server rather than TCP handshakes.
func NewHTTPClient(concurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = concurrency * 2
	t.MaxIdleConnsPerHost = concurrency * 2
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// Drain reads and closes a response body so the connection can be reused,
// and turns a non-2xx status into an error. It returns the body length.
func Drain(resp *http.Response) (int64, error) {
	n, err := io.Copy(io.Discard, resp.Body)
	closeErr := resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return n, fmt.Errorf("%s %s: status %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode)
	}
	if err != nil {
		return n, err
	}
	return n, closeErr
}
