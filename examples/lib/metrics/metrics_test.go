package metrics_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/examples/lib/metrics"
)

func TestHistogramQuantilesWithinRelativeError(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h metrics.Histogram
	var values []time.Duration
	for i := 0; i < 20000; i++ {
		// Log-normal-ish latencies from ~50µs to ~1s.
		d := time.Duration(50_000 * (1 + r.ExpFloat64()*r.ExpFloat64()*200))
		values = append(values, d)
		h.Record(d)
	}
	slices.Sort(values)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		exact := values[int(q*float64(len(values)-1))]
		got := h.Quantile(q)
		if rel := float64(got-exact) / float64(exact); rel < -0.04 || rel > 0.04 {
			t.Errorf("q%.3f = %v, exact %v (rel err %.3f)", q, got, exact, rel)
		}
	}
	if h.Count() != 20000 || h.Max() != values[len(values)-1] || h.Min() != values[0] {
		t.Errorf("count/min/max = %d/%v/%v", h.Count(), h.Min(), h.Max())
	}
}

func TestHistogramSmallValuesAreExact(t *testing.T) {
	var h metrics.Histogram
	for _, d := range []time.Duration{3, 1, 2, 7, -5} {
		h.Record(d)
	}
	if got := h.Quantile(0.5); got != 2 {
		t.Errorf("median = %v, want 2ns", got)
	}
	if h.Min() != 0 || h.Max() != 7 || h.Sum() != 13 || h.Mean() != 2 {
		t.Errorf("min/max/sum/mean = %v/%v/%v/%v", h.Min(), h.Max(), h.Sum(), h.Mean())
	}
	var empty metrics.Histogram
	if empty.Quantile(0.99) != 0 || empty.Mean() != 0 {
		t.Error("empty histogram should report zeros")
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all metrics.Histogram
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Microsecond
		all.Record(d)
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	for _, q := range []float64{0.1, 0.5, 0.99} {
		if a.Quantile(q) != all.Quantile(q) {
			t.Errorf("merged q%v = %v, want %v", q, a.Quantile(q), all.Quantile(q))
		}
	}
	if a.Count() != all.Count() || a.Sum() != all.Sum() || a.Min() != all.Min() || a.Max() != all.Max() {
		t.Error("merged summary differs")
	}
}

func TestRegistryConcurrentAndText(t *testing.T) {
	reg := metrics.NewRegistry()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := reg.Counter(`http_requests_total{route="/render"}`)
			h := reg.Histogram(`http_request_duration_seconds{route="/render"}`)
			for i := 0; i < 1000; i++ {
				c.Inc()
				h.Record(2 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	reg.Counter("errors_total").Add(3)

	var sb strings.Builder
	if err := reg.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`errors_total 3`,
		`http_requests_total{route="/render"} 8000`,
		`http_request_duration_seconds{route="/render",quantile="0.5"} 0.002`,
		`http_request_duration_seconds_count{route="/render"} 8000`,
		`http_request_duration_seconds_sum{route="/render"} 16`,
	}
	for _, line := range want {
		if !strings.Contains(sb.String(), line+"\n") {
			t.Errorf("missing line %q in:\n%s", line, sb.String())
		}
	}
}
