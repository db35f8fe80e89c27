package loadgen

import (
	"fmt"
	"io"
	"time"

	"example.com/examples/lib/metrics"
)

// Report summarizes a run.
type Report struct {
	// Requests counts completed requests, successful or not.
	Requests int64
	// Errors counts requests whose RequestFunc returned an error.
	Errors int64
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
	// Latency is the distribution of successful request latencies.
	Latency metrics.Histogram
	// ErrorSamples holds the first few error messages.
	ErrorSamples []string
}

// RequestsPerSecond is the completed request rate.
func (r *Report) RequestsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// WriteText prints the report in the format the profiling script and humans
// read:
//
//	requests: 41234 (0 errors) in 20.0s
//	throughput: 2061.7 req/s
//	latency: p50=1.2ms p90=2.9ms p99=6.1ms max=18ms mean=1.5ms
func (r *Report) WriteText(w io.Writer) error {
	_, err := fmt.Fprintf(w,
		"requests: %d (%d errors) in %.1fs\nthroughput: %.1f req/s\nlatency: p50=%v p90=%v p99=%v max=%v mean=%v\n",
		r.Requests, r.Errors, r.Elapsed.Seconds(), r.RequestsPerSecond(),
		round(r.Latency.Quantile(0.5)), round(r.Latency.Quantile(0.9)), round(r.Latency.Quantile(0.99)),
		round(r.Latency.Max()), round(r.Latency.Mean()))
	if err != nil {
		return err
	}
	for _, s := range r.ErrorSamples {
		if _, err := fmt.Fprintf(w, "error: %s\n", s); err != nil {
			return err
		}
	}
	return nil
}

// round keeps three significant digits or so, for readable durations.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond / 10)
	}
}
