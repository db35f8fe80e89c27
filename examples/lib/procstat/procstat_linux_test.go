package procstat

import "testing"

func TestParseStatm(t *testing.T) {
	rss, ok := parseStatm([]byte("1234 567 89 10 0 400 0\n"), 4096)
	if !ok || rss != 567*4096 {
		t.Fatalf("parseStatm = %d, %v", rss, ok)
	}
	for _, bad := range []string{"", "12", "12 x 3"} {
		if _, ok := parseStatm([]byte(bad), 4096); ok {
			t.Errorf("parseStatm(%q) accepted", bad)
		}
	}
}

func TestReadOnLinuxUsesProcfs(t *testing.T) {
	// Burn a little CPU so the rusage figure cannot be zero.
	x := 0
	for i := 0; i < 5_000_000; i++ {
		x += i % 7
	}
	s := Read()
	if s.Source != "procfs" {
		t.Fatalf("Source = %q, want procfs on linux", s.Source)
	}
	if s.RSSBytes < 1<<20 || s.CPUTime <= 0 || s.Goroutines < 1 || s.HeapAllocBytes == 0 || x == 0 {
		t.Fatalf("implausible snapshot %+v", s)
	}
}
