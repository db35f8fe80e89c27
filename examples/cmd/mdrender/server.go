package main

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync"
	"time"

	"gitlab.com/golang-commonmark/markdown"

	"example.com/examples/lib/httpx"
	"example.com/examples/lib/metrics"
)

// config holds the server's tunables.
type config struct {
	maxBody   int64
	accessLog bool
	logger    *slog.Logger
}

// server holds the state shared by all requests.
type server struct {
	cfg     config
	reg     *metrics.Registry
	started time.Time
	// md is read-only after New (every Parse allocates its own state), so
	// one instance serves all requests concurrently.
	md *markdown.Markdown
	// buffers reuses request and response buffers across requests.
	buffers       sync.Pool
	inputBytes    *metrics.Counter
	renderedBytes *metrics.Counter
}

// newMarkdown returns the renderer with the blog service's options: XHTML
// output, typographic replacements, URL autolinking and GFM tables. Raw
// HTML in the input stays disabled (the library's default), so it is
// escaped rather than passed through.
func newMarkdown() *markdown.Markdown {
	return markdown.New(
		markdown.XHTMLOutput(true),
		markdown.Typographer(true),
		markdown.Linkify(true),
		markdown.Tables(true),
	)
}

func newServer(cfg config) *server {
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	reg := metrics.NewRegistry()
	s := &server{
		cfg:           cfg,
		reg:           reg,
		started:       time.Now(),
		md:            newMarkdown(),
		inputBytes:    reg.Counter("markdown_input_bytes_total"),
		renderedBytes: reg.Counter("markdown_output_bytes_total"),
	}
	s.buffers.New = func() any { return new(renderBuffers) }
	return s
}

// renderBuffers are the two buffers of one request.
type renderBuffers struct {
	src, html bytes.Buffer
}

// maxPooledBuffer keeps an occasional huge document from pinning its
// buffers in the pool for the life of the process.
const maxPooledBuffer = 1 << 20

// routes builds the handler tree. The method-qualified patterns make the
// mux answer 405 (with an Allow header) to any other method on a known path.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /render", httpx.Instrument(s.reg, "/render", http.HandlerFunc(s.handleRender)))
	mux.Handle("GET /healthz", httpx.HealthHandler("mdrender", s.started))
	mux.Handle("GET /metrics", httpx.MetricsHandler(s.reg))
	// net/http/pprof registers on http.DefaultServeMux, which this service
	// does not serve: route its handlers explicitly. Index also serves the
	// named profiles (heap, goroutine, allocs, ...) under /debug/pprof/.
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	var h http.Handler = mux
	if s.cfg.accessLog {
		h = httpx.AccessLog(s.cfg.logger, h)
	}
	return httpx.Recover(s.cfg.logger, h)
}

// handleRender renders the request body as Markdown. The body is taken
// as Markdown whatever its Content-Type, so `curl --data-binary @README.md`
// (which says application/x-www-form-urlencoded) works as is.
func (s *server) handleRender(w http.ResponseWriter, r *http.Request) {
	bufs := s.buffers.Get().(*renderBuffers)
	defer s.putBuffers(bufs)

	if _, err := bufs.src.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.maxBody)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.WriteError(w, http.StatusRequestEntityTooLarge, "markdown exceeds "+strconv.FormatInt(s.cfg.maxBody, 10)+" bytes")
			return
		}
		httpx.WriteError(w, http.StatusBadRequest, "cannot read body: "+err.Error())
		return
	}
	src := bufs.src.Bytes()
	s.inputBytes.Add(int64(len(src)))

	if err := s.md.Render(&bufs.html, src); err != nil {
		// Rendering into a bytes.Buffer cannot fail today; if the library
		// ever reports an error, say so instead of sending half a page.
		s.cfg.logger.Error("render markdown", "err", err)
		httpx.WriteError(w, http.StatusInternalServerError, "cannot render markdown")
		return
	}
	s.renderedBytes.Add(int64(bufs.html.Len()))

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(bufs.html.Len()))
	_, _ = w.Write(bufs.html.Bytes())
}

// putBuffers returns a request's buffers to the pool, unless they grew
// too large to keep.
func (s *server) putBuffers(b *renderBuffers) {
	if b.src.Cap() > maxPooledBuffer || b.html.Cap() > maxPooledBuffer {
		return
	}
	b.src.Reset()
	b.html.Reset()
	s.buffers.Put(b)
}
