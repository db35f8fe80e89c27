package profiling

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestStartStopWritesGzippedProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	p, err := StartCPU(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Path() != path {
		t.Fatalf("Path() = %q", p.Path())
	}
	if _, err := StartCPU(filepath.Join(t.TempDir(), "second.pprof")); err == nil {
		t.Fatal("a second concurrent CPU profile should fail")
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A pprof file is a gzipped protocol buffer.
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("profile is not gzip: %v", err)
	}
	if raw, err := io.ReadAll(zr); err != nil || len(raw) == 0 {
		t.Fatalf("profile body: %d bytes, %v", len(raw), err)
	}
}

func TestDisabled(t *testing.T) {
	p, err := StartCPU("")
	if err != nil || p != nil {
		t.Fatalf("StartCPU(\"\") = %v, %v", p, err)
	}
	if err := p.Stop(); err != nil || p.Path() != "" {
		t.Fatal("nil profile must be a no-op")
	}
	if _, err := StartCPU(filepath.Join(t.TempDir(), "missing", "dir", "x.pprof")); err == nil {
		t.Fatal("expected an error for an uncreatable path")
	}
}
