package main

import (
	"bytes"
	"strings"
	"time"
	"unsafe"

	"example.com/examples/lib/logrec"
	"example.com/examples/lib/metrics"
)

// maxErrorSamples bounds the malformed-line examples kept in a report.
const maxErrorSamples = 5

// routeStats aggregates the requests of one normalized route.
type routeStats struct {
	requests     int64
	serverErrors int64
	clientErrors int64
	bytes        int64
	latency      metrics.Histogram
}

// errorSample is a malformed line, positioned so that samples can be
// ordered the same way whatever worker found them.
type errorSample struct {
	chunk, line int
	msg         string
}

// Aggregator accumulates statistics over parsed records. Each worker owns
// one; Merge combines them.
type Aggregator struct {
	lines, malformed int64
	bytes            int64
	statuses         map[int]int64
	routes           map[string]*routeStats
	clients          map[string]int64
	agents           map[string]int64
	perMinute        map[int64]int64
	latency          metrics.Histogram
	first, last      time.Time
	samples          []errorSample
	// routeCache memoizes route normalization: paths repeat a lot.
	routeCache map[string]string
}

// NewAggregator returns an empty Aggregator.
func NewAggregator() *Aggregator {
	return &Aggregator{
		statuses:   map[int]int64{},
		routes:     map[string]*routeStats{},
		clients:    map[string]int64{},
		agents:     map[string]int64{},
		perMinute:  map[int64]int64{},
		routeCache: map[string]string{},
	}
}

// AddChunk parses and aggregates every line of data (chunk number index).
func (a *Aggregator) AddChunk(index int, data []byte) {
	var rec logrec.Record
	line := 0
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		var l []byte
		if nl < 0 {
			l, data = data, nil
		} else {
			l, data = data[:nl], data[nl+1:]
		}
		line++
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		if len(l) == 0 {
			continue
		}
		a.lines++
		// The chunk outlives this loop only through strings copied into
		// maps below, so parsing can view the bytes without copying them.
		s := unsafe.String(unsafe.SliceData(l), len(l))
		if err := logrec.ParseInto(&rec, s); err != nil {
			a.malformed++
			a.addSample(errorSample{chunk: index, line: line, msg: err.Error() + ": " + truncate(s, 80)})
			continue
		}
		a.add(&rec)
	}
}

// add aggregates one record. Strings that become map keys are cloned,
// because the record views the chunk buffer.
func (a *Aggregator) add(r *logrec.Record) {
	a.statuses[r.Status]++
	a.bytes += r.Bytes
	a.latency.Record(r.Duration)
	if a.first.IsZero() || r.Time.Before(a.first) {
		a.first = r.Time
	}
	if r.Time.After(a.last) {
		a.last = r.Time
	}
	a.perMinute[r.Time.Unix()/60]++

	key := r.Method + " " + r.Path()
	route, ok := a.routeCache[key]
	if !ok {
		route = r.Method + " " + normalizeRoute(r.Path())
		a.routeCache[key] = route
	}
	rs := a.routes[route]
	if rs == nil {
		rs = &routeStats{}
		a.routes[route] = rs
	}
	rs.requests++
	rs.bytes += r.Bytes
	rs.latency.Record(r.Duration)
	switch {
	case r.Status >= 500:
		rs.serverErrors++
	case r.Status >= 400:
		rs.clientErrors++
	}

	if n, ok := a.clients[r.RemoteAddr]; ok {
		a.clients[r.RemoteAddr] = n + 1
	} else {
		a.clients[strings.Clone(r.RemoteAddr)] = 1
	}
	a.agents[agentFamily(r.UserAgent)]++
}

func (a *Aggregator) addSample(s errorSample) {
	a.samples = append(a.samples, s)
	if len(a.samples) > maxErrorSamples {
		sortSamples(a.samples)
		a.samples = a.samples[:maxErrorSamples]
	}
}

// Merge adds everything o aggregated into a.
func (a *Aggregator) Merge(o *Aggregator) {
	a.lines += o.lines
	a.malformed += o.malformed
	a.bytes += o.bytes
	for k, v := range o.statuses {
		a.statuses[k] += v
	}
	for k, v := range o.routes {
		rs := a.routes[k]
		if rs == nil {
			a.routes[k] = v
			continue
		}
		rs.requests += v.requests
		rs.serverErrors += v.serverErrors
		rs.clientErrors += v.clientErrors
		rs.bytes += v.bytes
		rs.latency.Merge(&v.latency)
	}
	for k, v := range o.clients {
		a.clients[k] += v
	}
	for k, v := range o.agents {
		a.agents[k] += v
	}
	for k, v := range o.perMinute {
		a.perMinute[k] += v
	}
	a.latency.Merge(&o.latency)
	if !o.first.IsZero() && (a.first.IsZero() || o.first.Before(a.first)) {
		a.first = o.first
	}
	if o.last.After(a.last) {
		a.last = o.last
	}
	for _, s := range o.samples {
		a.addSample(s)
	}
}

// normalizeRoute replaces the variable parts of a path with placeholders so
// requests group by route: numeric ids become ":id", product codes like
// "p10023" become ":sku", and fingerprinted asset names "app.p10023.js"
// become "app.*.js".
func normalizeRoute(path string) string {
	if path == "" || path == "/" {
		return "/"
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		switch {
		case s == "":
		case isDigits(s):
			segs[i] = ":id"
		case len(s) > 1 && s[0] == 'p' && isDigits(s[1:]):
			segs[i] = ":sku"
		default:
			if parts := strings.Split(s, "."); len(parts) >= 3 {
				for j := 1; j < len(parts)-1; j++ {
					if strings.ContainsAny(parts[j], "0123456789") {
						parts[j] = "*"
					}
				}
				segs[i] = strings.Join(parts, ".")
			}
		}
	}
	return strings.Join(segs, "/")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// agentFamily classifies a User-Agent header into a browser or client
// family. Order matters: Edge claims to be Chrome, Chrome claims Safari.
func agentFamily(ua string) string {
	switch {
	case ua == "-" || ua == "":
		return "unknown"
	case strings.Contains(ua, "bot") || strings.Contains(ua, "Bot"):
		return "bot"
	case strings.HasPrefix(ua, "kube-probe/"):
		return "health-check"
	case strings.HasPrefix(ua, "curl/"), strings.HasPrefix(ua, "python-requests/"), strings.HasPrefix(ua, "Go-http-client/"):
		return "script"
	case strings.Contains(ua, "Edg/"):
		return "edge"
	case strings.Contains(ua, "Firefox/"):
		return "firefox"
	case strings.Contains(ua, "Chrome/"):
		return "chrome"
	case strings.Contains(ua, "Safari/"):
		return "safari"
	default:
		return "other"
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
