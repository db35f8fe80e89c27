package metrics

import (
	"math"
	"math/bits"
	"time"
)

// subBuckets is the number of linear sub-buckets per power of two. 32 keeps
// the relative error of any reported quantile under about 3%.
const subBuckets = 32

const subBits = 5 // log2(subBuckets)

// numBuckets covers values up to 2^63 ns.
const numBuckets = (64 - subBits + 1) * subBuckets

// Histogram is a log-linear histogram of durations (the HdrHistogram idea):
// constant memory, O(1) Record, mergeable, with bounded relative error.
// It is not safe for concurrent use; see SyncHistogram.
type Histogram struct {
	counts [numBuckets]uint64
	count  uint64
	sum    time.Duration
	min    time.Duration
	max    time.Duration
}

// bucketOf maps a non-negative value to its bucket index.
func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	exp := bits.Len64(v) - subBits // >= 1
	sub := int(v>>uint(exp-1)) - subBuckets
	return exp*subBuckets + sub
}

// bucketUpper returns the largest value that falls in bucket i.
func bucketUpper(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	exp := i / subBuckets
	sub := uint64(i%subBuckets) + subBuckets
	return (sub+1)<<uint(exp-1) - 1
}

// Record adds one observation. Negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	if h.count == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.count++
	h.sum += d
}

// Merge adds all observations of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.count == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.count += o.count
	h.sum += o.sum
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 { return h.count }

// Sum returns the total of all observations.
func (h *Histogram) Sum() time.Duration { return h.sum }

// Min returns the smallest observation, or 0 when empty.
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest observation, or 0 when empty.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the average observation, or 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.count == 0 {
		return 0
	}
	return h.sum / time.Duration(h.count)
}

// Quantile returns an upper bound of the q-quantile (0 ≤ q ≤ 1), within
// the histogram's relative error and never above Max.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	if q <= 0 {
		return h.min
	}
	rank := uint64(math.Ceil(q * float64(h.count)))
	if rank > h.count {
		rank = h.count
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := time.Duration(bucketUpper(i))
			if v > h.max {
				v = h.max
			}
			if v < h.min {
				v = h.min
			}
			return v
		}
	}
	return h.max
}

// Reset removes all observations.
func (h *Histogram) Reset() { *h = Histogram{} }
