package loadgen

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"example.com/examples/lib/metrics"
)

// Config bounds a run. At least one of Duration and Requests must be set;
// the run stops at whichever comes first.
type Config struct {
	// Concurrency is the number of workers; 0 means 1.
	Concurrency int
	// Duration stops the run after this long (0: no time limit).
	Duration time.Duration
	// Requests stops the run after this many requests (0: no count limit).
	Requests int64
}

// RequestFunc performs one request. seq numbers requests from 0 across all
// workers, so drivers can pick varied inputs deterministically.
type RequestFunc func(ctx context.Context, worker int, seq int64) error

// maxErrorSamples bounds the error messages kept for the report.
const maxErrorSamples = 5

// ErrNoLimit is returned by Run when Config has neither a duration nor a
// request count, which would run forever.
var ErrNoLimit = errors.New("loadgen: set a duration or a request count")

// Run drives fn until the limits in cfg are reached or ctx is cancelled.
// Errors returned by fn are counted, not fatal: a load test measures them.
func Run(ctx context.Context, cfg Config, fn RequestFunc) (*Report, error) {
	if cfg.Duration <= 0 && cfg.Requests <= 0 {
		return nil, ErrNoLimit
	}
	workers := max(cfg.Concurrency, 1)
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}

	var (
		next    atomic.Int64
		errs    atomic.Int64
		mu      sync.Mutex
		samples []string
		wg      sync.WaitGroup
	)
	hists := make([]metrics.Histogram, workers)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				seq := next.Add(1) - 1
				if cfg.Requests > 0 && seq >= cfg.Requests {
					return
				}
				t0 := time.Now()
				err := fn(ctx, w, seq)
				elapsed := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						// Cut off by the deadline: not the server's fault.
						return
					}
					errs.Add(1)
					mu.Lock()
					if len(samples) < maxErrorSamples {
						samples = append(samples, err.Error())
					}
					mu.Unlock()
					continue
				}
				hists[w].Record(elapsed)
			}
		}()
	}
	wg.Wait()

	r := &Report{Elapsed: time.Since(start), Errors: errs.Load(), ErrorSamples: samples}
	for i := range hists {
		r.Latency.Merge(&hists[i])
	}
	r.Requests = int64(r.Latency.Count()) + r.Errors
	return r, nil
}
