package main

import (
	"cmp"
	"encoding/json"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// Report is the JSON document logworker writes. It depends only on the
// input, never on timing or worker count, so two runs can be diffed.
type Report struct {
	Passes     int            `json:"passes"`
	Input      InputStats     `json:"input"`
	Window     WindowStats    `json:"window"`
	Status     map[string]int `json:"status_classes"`
	Latency    LatencyStats   `json:"latency_ms"`
	Routes     []RouteStats   `json:"routes"`
	TopClients []Count        `json:"top_clients"`
	UserAgents []Count        `json:"user_agents"`
	Malformed  []string       `json:"malformed_samples"`
}

// InputStats counts lines.
type InputStats struct {
	Lines       int64 `json:"lines"`
	Parsed      int64 `json:"parsed"`
	Malformed   int64 `json:"malformed"`
	BytesServed int64 `json:"bytes_served"`
}

// WindowStats describes the time covered by the log.
type WindowStats struct {
	First              string  `json:"first"`
	Last               string  `json:"last"`
	AverageRPS         float64 `json:"average_rps"`
	PeakMinute         string  `json:"peak_minute"`
	PeakMinuteRequests int64   `json:"peak_minute_requests"`
}

// LatencyStats are latency percentiles in milliseconds.
type LatencyStats struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// RouteStats is one line of the per-route table.
type RouteStats struct {
	Route           string       `json:"route"`
	Requests        int64        `json:"requests"`
	ServerErrorRate float64      `json:"server_error_rate"`
	ClientErrorRate float64      `json:"client_error_rate"`
	Bytes           int64        `json:"bytes"`
	Latency         LatencyStats `json:"latency_ms"`
}

// Count is a key with its number of requests.
type Count struct {
	Key      string `json:"key"`
	Requests int64  `json:"requests"`
}

// Report summarizes the aggregate; top bounds the client list.
func (a *Aggregator) Report(top int) *Report {
	parsed := a.lines - a.malformed
	r := &Report{
		Input:  InputStats{Lines: a.lines, Parsed: parsed, Malformed: a.malformed, BytesServed: a.bytes},
		Status: map[string]int{},
	}
	for code, n := range a.statuses {
		r.Status[strconv.Itoa(code/100)+"xx"] += int(n)
	}
	r.Latency = latencyStats(&a.latency)
	if !a.first.IsZero() {
		r.Window.First = a.first.Format(time.RFC3339)
		r.Window.Last = a.last.Format(time.RFC3339)
		if span := a.last.Sub(a.first).Seconds(); span > 0 {
			r.Window.AverageRPS = round2(float64(parsed) / span)
		}
		var peak, peakN int64
		for minute, n := range a.perMinute {
			if n > peakN || (n == peakN && minute < peak) {
				peak, peakN = minute, n
			}
		}
		r.Window.PeakMinute = time.Unix(peak*60, 0).UTC().Format(time.RFC3339)
		r.Window.PeakMinuteRequests = peakN
	}
	for route, rs := range a.routes {
		r.Routes = append(r.Routes, RouteStats{
			Route:           route,
			Requests:        rs.requests,
			ServerErrorRate: round4(float64(rs.serverErrors) / float64(rs.requests)),
			ClientErrorRate: round4(float64(rs.clientErrors) / float64(rs.requests)),
			Bytes:           rs.bytes,
			Latency:         latencyStats(&rs.latency),
		})
	}
	slices.SortFunc(r.Routes, func(x, y RouteStats) int {
		return cmp.Or(cmp.Compare(y.Requests, x.Requests), cmp.Compare(x.Route, y.Route))
	})
	r.TopClients = topCounts(a.clients, top)
	r.UserAgents = topCounts(a.agents, len(a.agents))
	sortSamples(a.samples)
	r.Malformed = []string{}
	for _, s := range a.samples {
		r.Malformed = append(r.Malformed, s.msg)
	}
	return r
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func topCounts(m map[string]int64, n int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{Key: k, Requests: v})
	}
	slices.SortFunc(out, func(x, y Count) int {
		return cmp.Or(cmp.Compare(y.Requests, x.Requests), cmp.Compare(x.Key, y.Key))
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func sortSamples(s []errorSample) {
	slices.SortFunc(s, func(x, y errorSample) int {
		return cmp.Or(cmp.Compare(x.chunk, y.chunk), cmp.Compare(x.line, y.line))
	})
}

func latencyStats(h interface{ Quantile(float64) time.Duration }) LatencyStats {
	ms := func(d time.Duration) float64 { return round2(float64(d) / float64(time.Millisecond)) }
	return LatencyStats{P50: ms(h.Quantile(0.5)), P90: ms(h.Quantile(0.9)), P99: ms(h.Quantile(0.99)), Max: ms(h.Quantile(1))}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
func round4(x float64) float64 { return math.Round(x*10000) / 10000 }
