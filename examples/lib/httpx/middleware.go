package httpx

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/examples/lib/metrics"
)

// statusRecorder captures the status code and body size a handler writes.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) code() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}

// Instrument counts requests by status class and records their latency
// under the given route name in reg.
func Instrument(reg *metrics.Registry, route string, next http.Handler) http.Handler {
	label := strconv.Quote(route)
	latency := reg.Histogram("http_request_duration_seconds{route=" + label + "}")
	// Resolve the counters once: the per-request path must not take the
	// registry lock.
	// 1xx responses are never final, so classes start at 2xx.
	var byClass [6]*metrics.Counter
	for class := 2; class <= 5; class++ {
		byClass[class] = reg.Counter("http_requests_total{route=" + label + ",code=\"" + strconv.Itoa(class) + "xx\"}")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		latency.Record(time.Since(start))
		if class := rec.code() / 100; class >= 2 && class <= 5 {
			byClass[class].Inc()
		}
	})
}

// AccessLog logs one line per request at Info level. Services enable it
// with a flag: at load-test rates, logging would dominate the profile.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.code()),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
		)
	})
}

// Recover turns a panicking handler into a 500 response and an error log
// instead of a dropped connection.
func Recover(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.Error("handler panic", "path", r.URL.Path, "panic", v)
				WriteError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
