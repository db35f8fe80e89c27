package metrics

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Registry names counters and histograms so they can be exported together.
// Lookups are cheap, but hot paths should keep the returned pointer.
type Registry struct {
	mu         sync.Mutex
	counters   map[string]*Counter
	histograms map[string]*SyncHistogram
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{counters: map[string]*Counter{}, histograms: map[string]*SyncHistogram{}}
}

// Counter returns the counter with the given name, creating it on first use.
// Names may carry Prometheus labels: `http_requests_total{route="/render"}`.
func (r *Registry) Counter(name string) *Counter {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.counters[name]
	if !ok {
		c = &Counter{}
		r.counters[name] = c
	}
	return c
}

// Histogram returns the histogram with the given name, creating it on first
// use.
func (r *Registry) Histogram(name string) *SyncHistogram {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, ok := r.histograms[name]
	if !ok {
		h = &SyncHistogram{}
		r.histograms[name] = h
	}
	return h
}

// exportedQuantiles are the quantiles WriteText reports for histograms.
var exportedQuantiles = []float64{0.5, 0.9, 0.99}

// WriteText writes all metrics in the Prometheus text exposition format,
// sorted by name so the output is stable. Histograms are exported as
// summaries (quantiles in seconds, plus _sum and _count).
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	counterNames := sortedKeys(r.counters)
	histNames := sortedKeys(r.histograms)
	counters := make([]*Counter, len(counterNames))
	for i, n := range counterNames {
		counters[i] = r.counters[n]
	}
	hists := make([]*SyncHistogram, len(histNames))
	for i, n := range histNames {
		hists[i] = r.histograms[n]
	}
	r.mu.Unlock()

	bw := bufio.NewWriter(w)
	for i, name := range counterNames {
		fmt.Fprintf(bw, "%s %d\n", name, counters[i].Value())
	}
	for i, name := range histNames {
		snap := hists[i].Snapshot()
		base, labels := splitLabels(name)
		for _, q := range exportedQuantiles {
			fmt.Fprintf(bw, "%s{%squantile=\"%g\"} %g\n", base, labels, q, snap.Quantile(q).Seconds())
		}
		fmt.Fprintf(bw, "%s_sum%s %g\n", base, braced(labels), snap.Sum().Seconds())
		fmt.Fprintf(bw, "%s_count%s %d\n", base, braced(labels), snap.Count())
	}
	return bw.Flush()
}

// splitLabels splits `name{a="b"}` into "name" and `a="b",` (with a trailing
// comma, ready to prepend to another label).
func splitLabels(name string) (string, string) {
	i := strings.IndexByte(name, '{')
	if i < 0 || !strings.HasSuffix(name, "}") {
		return name, ""
	}
	inner := name[i+1 : len(name)-1]
	if inner == "" {
		return name[:i], ""
	}
	return name[:i], inner + ","
}

func braced(labels string) string {
	if labels == "" {
		return ""
	}
	return "{" + strings.TrimSuffix(labels, ",") + "}"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
