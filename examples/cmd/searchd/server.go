package main

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/examples/lib/httpx"
	"example.com/examples/lib/markdown"
	"example.com/examples/lib/metrics"
	"example.com/examples/lib/search"
)

const (
	defaultLimit = 10
	maxLimit     = 100
	maxDocBytes  = 1 << 20
)

// server holds the index and the service's metrics.
type server struct {
	logger    *slog.Logger
	accessLog bool
	index     *search.Index
	reg       *metrics.Registry
	started   time.Time
	queries   *metrics.Counter
	noHits    *metrics.Counter
}

func newServer(logger *slog.Logger, accessLog bool) *server {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	reg := metrics.NewRegistry()
	return &server{
		logger:    logger,
		accessLog: accessLog,
		index:     search.NewIndex(nil),
		reg:       reg,
		started:   time.Now(),
		queries:   reg.Counter("search_queries_total"),
		noHits:    reg.Counter("search_queries_without_hits_total"),
	}
}

// addMarkdown indexes a Markdown document under id. The title defaults to
// the document's first heading.
func (s *server) addMarkdown(id, title, src string) search.Document {
	doc := markdown.Parse([]byte(src))
	if title == "" {
		title = doc.Title()
	}
	d := search.Document{ID: id, Title: title, Body: doc.PlainText()}
	s.index.Add(d)
	return d
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /search", httpx.Instrument(s.reg, "/search", http.HandlerFunc(s.handleSearch)))
	mux.Handle("POST /docs", httpx.Instrument(s.reg, "/docs", http.HandlerFunc(s.handleAdd)))
	mux.HandleFunc("GET /docs/{id}", s.handleGet)
	mux.HandleFunc("DELETE /docs/{id}", s.handleDelete)
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		_ = httpx.WriteJSON(w, http.StatusOK, s.index.Stats())
	})
	mux.Handle("GET /healthz", httpx.HealthHandler("searchd", s.started))
	mux.Handle("GET /metrics", httpx.MetricsHandler(s.reg))
	var h http.Handler = mux
	if s.accessLog {
		h = httpx.AccessLog(s.logger, h)
	}
	return httpx.Recover(s.logger, h)
}

func (s *server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		httpx.WriteError(w, http.StatusBadRequest, "missing query parameter q")
		return
	}
	limit := defaultLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			httpx.WriteError(w, http.StatusBadRequest, "limit must be a positive integer")
			return
		}
		limit = min(n, maxLimit)
	}
	s.queries.Inc()
	res := s.index.Search(q, limit)
	if res.Total == 0 {
		s.noHits.Inc()
	}
	_ = httpx.WriteJSON(w, http.StatusOK, res)
}

// addRequest is the body of POST /docs.
type addRequest struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Markdown string `json:"markdown"`
}

func (s *server) handleAdd(w http.ResponseWriter, r *http.Request) {
	var req addRequest
	if err := httpx.DecodeJSON(w, r, &req, maxDocBytes); err != nil {
		var re *httpx.RequestError
		if errors.As(err, &re) {
			httpx.WriteError(w, re.Status, re.Msg)
			return
		}
		httpx.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.ID == "" || strings.ContainsAny(req.ID, "/ ") {
		httpx.WriteError(w, http.StatusBadRequest, "id must be non-empty without spaces or slashes")
		return
	}
	d := s.addMarkdown(req.ID, req.Title, req.Markdown)
	_ = httpx.WriteJSON(w, http.StatusCreated, map[string]string{"id": d.ID, "title": d.Title})
}

func (s *server) handleGet(w http.ResponseWriter, r *http.Request) {
	d, ok := s.index.Get(r.PathValue("id"))
	if !ok {
		httpx.WriteError(w, http.StatusNotFound, "no such document")
		return
	}
	_ = httpx.WriteJSON(w, http.StatusOK, d)
}

func (s *server) handleDelete(w http.ResponseWriter, r *http.Request) {
	if !s.index.Delete(r.PathValue("id")) {
		httpx.WriteError(w, http.StatusNotFound, "no such document")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
