package main

import (
	"errors"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"example.com/examples/lib/httpx"
	"example.com/examples/lib/markdown"
	"example.com/examples/lib/metrics"
	"example.com/examples/lib/page"
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
	// renderers reuses Markdown renderers (and their output buffers)
	// across requests.
	renderers     sync.Pool
	inputBytes    *metrics.Counter
	renderedBytes *metrics.Counter
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
		inputBytes:    reg.Counter("markdown_input_bytes_total"),
		renderedBytes: reg.Counter("markdown_output_bytes_total"),
	}
	s.renderers.New = func() any {
		return markdown.NewRenderer(markdown.Options{HeadingIDs: true, NoFollowLinks: true})
	}
	return s
}

// routes builds the handler tree.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /render", httpx.Instrument(s.reg, "/render", http.HandlerFunc(s.handleRender)))
	mux.Handle("GET /healthz", httpx.HealthHandler("mdserver", s.started))
	mux.Handle("GET /metrics", httpx.MetricsHandler(s.reg))
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.HandleFunc("GET /static/style.css", handleStylesheet)
	var h http.Handler = mux
	if s.cfg.accessLog {
		h = httpx.AccessLog(s.cfg.logger, h)
	}
	return httpx.Recover(s.cfg.logger, h)
}

// readMarkdown returns the Markdown of a render request: the raw body, or
// the "markdown" field of a submitted form.
func (s *server) readMarkdown(w http.ResponseWriter, r *http.Request) ([]byte, bool, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxBody)
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return nil, false, err
		}
		return []byte(r.PostForm.Get("markdown")), true, nil
	}
	src, err := io.ReadAll(r.Body)
	return src, false, err
}

// handleRender renders the posted Markdown.
func (s *server) handleRender(w http.ResponseWriter, r *http.Request) {
	src, fromForm, err := s.readMarkdown(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.WriteError(w, http.StatusRequestEntityTooLarge, "markdown exceeds "+strconv.FormatInt(s.cfg.maxBody, 10)+" bytes")
			return
		}
		httpx.WriteError(w, http.StatusBadRequest, "cannot read body: "+err.Error())
		return
	}
	s.inputBytes.Add(int64(len(src)))

	q := r.URL.Query()
	wantPage := fromForm || q.Get("page") == "1"
	wantTOC := q.Get("toc") == "1"

	rend := s.renderers.Get().(*markdown.Renderer)
	defer s.renderers.Put(rend)
	doc := markdown.Parse(src)
	html := rend.RenderDocument(doc)
	s.renderedBytes.Add(int64(len(html)))

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !wantPage {
		_, _ = w.Write(html)
		return
	}
	p := page.Page{Title: doc.Title(), Body: template.HTML(html), Footer: "Rendered by mdserver"}
	if wantTOC {
		for _, h := range doc.Headings() {
			if h.Level <= 3 {
				p.TOC = append(p.TOC, page.TOCEntry{Level: h.Level, Text: h.Text, ID: h.ID})
			}
		}
	}
	if err := page.Render(w, p); err != nil {
		s.cfg.logger.Error("render page", "err", err)
	}
}

// sampleMarkdown pre-fills the form on the landing page.
const sampleMarkdown = "# Release notes\n\n" +
	"The **render** path is now *profile-guided*: see [the PGO guide](https://go.dev/doc/pgo).\n\n" +
	"- faster `POST /render`\n- fewer allocations\n\n" +
	"```go\nfmt.Println(\"hello\")\n```\n"

func (s *server) handleIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.RenderIndex(w, page.Index{Service: "mdserver", Endpoint: "/render", Sample: sampleMarkdown}); err != nil {
		s.cfg.logger.Error("render index", "err", err)
	}
}

func handleStylesheet(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(page.Stylesheet())
}
