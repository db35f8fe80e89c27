//go:build !linux

package procstat

import "runtime"

// readOS uses the runtime's view of memory: without /proc there is no
// portable RSS, and CPU time is left unknown.
func readOS(s *Snapshot, ms *runtime.MemStats) {
	s.Source = "runtime"
	s.RSSBytes = ms.Sys
}
