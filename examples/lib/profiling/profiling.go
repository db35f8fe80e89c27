// Package profiling starts and stops CPU profiling for the example binaries,
// whose profiles become the default.pgo files that drive PGO builds.
package profiling

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
)

// CPUProfile is a running CPU profile. Stop must be called exactly once to
// flush the profile; until then the file is incomplete.
type CPUProfile struct {
	f    *os.File
	path string
}

// StartCPU starts writing a CPU profile to path. An empty path returns a
// nil *CPUProfile whose Stop is a no-op, so callers need no special case
// for "profiling disabled".
func StartCPU(path string) (*CPUProfile, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(fmt.Errorf("start CPU profile: %w", err), f.Close(), os.Remove(path))
	}
	return &CPUProfile{f: f, path: path}, nil
}

// Stop stops profiling and closes the file. It is safe on a nil receiver.
func (p *CPUProfile) Stop() error {
	if p == nil {
		return nil
	}
	pprof.StopCPUProfile()
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("close CPU profile %s: %w", p.path, err)
	}
	return nil
}

// Path returns the profile's file path ("" on a nil receiver).
func (p *CPUProfile) Path() string {
	if p == nil {
		return ""
	}
	return p.path
}
