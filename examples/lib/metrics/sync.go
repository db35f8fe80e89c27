package metrics

import (
	"sync"
	"sync/atomic"
	"time"
)

// Counter is a monotonically increasing count, safe for concurrent use.
type Counter struct {
	v atomic.Int64
}

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Add adds n, which should not be negative.
func (c *Counter) Add(n int64) { c.v.Add(n) }

// Value returns the current count.
func (c *Counter) Value() int64 { return c.v.Load() }

// SyncHistogram is a Histogram guarded by a mutex, for recording from many
// goroutines (every HTTP handler records its latency).
type SyncHistogram struct {
	mu sync.Mutex
	h  Histogram
}

// Record adds one observation.
func (s *SyncHistogram) Record(d time.Duration) {
	s.mu.Lock()
	s.h.Record(d)
	s.mu.Unlock()
}

// Snapshot returns a copy of the current distribution.
func (s *SyncHistogram) Snapshot() *Histogram {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.h
	return &c
}
