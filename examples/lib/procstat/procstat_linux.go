package procstat

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// readOS fills the OS figures from /proc/self/statm and getrusage(2).
func readOS(s *Snapshot, ms *runtime.MemStats) {
	s.Source = "procfs"
	if rss, ok := rssFromStatm(); ok {
		s.RSSBytes = rss
	} else {
		s.RSSBytes = ms.Sys
		s.Source = "runtime"
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		s.CPUTime = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
}

// rssFromStatm reads the resident page count, the second field of
// /proc/self/statm.
func rssFromStatm() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	return parseStatm(data, uint64(os.Getpagesize()))
}

// parseStatm extracts RSS in bytes from the contents of /proc/<pid>/statm.
func parseStatm(data []byte, pageSize uint64) (uint64, bool) {
	fields := bytes.Fields(data)
	if len(fields) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseUint(string(fields[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * pageSize, true
}
