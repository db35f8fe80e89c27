package procstat

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSnapshotJSON(t *testing.T) {
	b, err := json.Marshal(Read())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"rss_bytes":`, `"cpu_time_ns":`, `"goroutines":`, `"source":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}
