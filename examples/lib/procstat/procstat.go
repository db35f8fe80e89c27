// Package procstat reports resource usage of the current process for health
// endpoints and batch reports.
//
// How it is measured depends on the OS: procstat_linux.go reads /proc and
// getrusage; procstat_other.go (//go:build !linux) falls back to what the Go
// runtime knows. Which file is compiled is decided by the build, so this
// package is the example monorepo's test of build-constraint file selection.
package procstat

import (
	"runtime"
	"time"
)

// Snapshot is the process's resource usage at one moment.
type Snapshot struct {
	// RSSBytes is the resident set size, or the runtime's view of memory
	// obtained from the OS where the OS does not report RSS.
	RSSBytes uint64 `json:"rss_bytes"`
	// CPUTime is user plus system CPU time consumed so far (0 if unknown).
	CPUTime time.Duration `json:"cpu_time_ns"`
	// HeapAllocBytes is the live Go heap.
	HeapAllocBytes uint64 `json:"heap_alloc_bytes"`
	// Goroutines is the number of goroutines.
	Goroutines int `json:"goroutines"`
	// GCCycles is the number of completed GC cycles.
	GCCycles uint32 `json:"gc_cycles"`
	// Source names where the OS figures came from ("procfs" or "runtime").
	Source string `json:"source"`
}

// Read takes a snapshot. It never fails: figures the OS does not provide
// are left zero or estimated, and Source says which.
func Read() Snapshot {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := Snapshot{
		HeapAllocBytes: ms.HeapAlloc,
		Goroutines:     runtime.NumGoroutine(),
		GCCycles:       ms.NumGC,
	}
	readOS(&s, &ms)
	return s
}
