package logrec

import (
	"bufio"
	"bytes"
	"errors"
	"testing"
	"time"
)

const sample = `203.0.113.9 - alice [21/Nov/2025:05:15:02 +0100] "GET /api/v1/orders/42?expand=items HTTP/1.1" 200 5123 "https://shop.example.com/" "Mozilla/5.0 (X11; \x22quoted\x22)" 0.042`

func TestParse(t *testing.T) {
	r, err := Parse(sample)
	if err != nil {
		t.Fatal(err)
	}
	want := Record{
		RemoteAddr: "203.0.113.9",
		User:       "alice",
		Time:       time.Date(2025, time.November, 21, 4, 15, 2, 0, time.UTC),
		Method:     "GET",
		Target:     "/api/v1/orders/42?expand=items",
		Proto:      "HTTP/1.1",
		Status:     200,
		Bytes:      5123,
		Referer:    "https://shop.example.com/",
		UserAgent:  `Mozilla/5.0 (X11; \x22quoted\x22)`,
		Duration:   42 * time.Millisecond,
	}
	if !r.Time.Equal(want.Time) {
		t.Errorf("Time = %v, want %v", r.Time, want.Time)
	}
	r.Time = want.Time
	if r != want {
		t.Errorf("Parse =\n%+v\nwant\n%+v", r, want)
	}
	if r.Path() != "/api/v1/orders/42" {
		t.Errorf("Path() = %q", r.Path())
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"":                  "remote_addr",
		"1.2.3.4 - -":       "time",
		"1.2.3.4 - - [bad]": "time",
		"1.2.3.4 - - [21/Foo/2025:05:15:02 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" 0.1": "time",
		"1.2.3.4 - - [21/Nov/2025:05:15:02 +0000] \"GET /\" 200 1 \"-\" \"-\" 0.1":          "request",
		"1.2.3.4 - - [21/Nov/2025:05:15:02 +0000] \"GET / HTTP/1.1\" 999 1 \"-\" \"-\" 0.1": "status",
		"1.2.3.4 - - [21/Nov/2025:05:15:02 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-":       "user_agent",
		"1.2.3.4 - - [21/Nov/2025:05:15:02 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" x":   "request_time",
	}
	for line, field := range cases {
		_, err := Parse(line)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Field != field {
			t.Errorf("Parse(%.50q) error = %v, want field %s", line, err, field)
		}
	}
	// A missing byte count is "-" in nginx logs.
	if r, err := Parse(`1.2.3.4 - - [21/Nov/2025:05:15:02 +0000] "HEAD / HTTP/1.1" 304 - "-" "-" 0.000`); err != nil || r.Bytes != 0 {
		t.Errorf("dash bytes: %+v, %v", r, err)
	}
}

func TestAppendRoundTrip(t *testing.T) {
	g := NewGenerator(1, time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC), 200)
	for i := 0; i < 2000; i++ {
		rec := g.Next()
		rec.Duration = rec.Duration.Round(time.Millisecond)
		line := string(Append(nil, &rec))
		got, err := Parse(line)
		if err != nil {
			t.Fatalf("Parse(Append(r)) failed: %v\n%s", err, line)
		}
		rec.Time = rec.Time.Truncate(time.Second)
		if !got.Time.Equal(rec.Time) {
			t.Fatalf("time %v != %v", got.Time, rec.Time)
		}
		got.Time = rec.Time
		if got != rec {
			t.Fatalf("round trip:\n%+v\n%+v", got, rec)
		}
	}
}

func TestGenerateTo(t *testing.T) {
	g := NewGenerator(5, time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC), 100)
	g.MalformedRate = 0.01
	var buf bytes.Buffer
	n, err := g.GenerateTo(&buf, 5000)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("GenerateTo = %d, %v (buffer %d)", n, err, buf.Len())
	}
	sc := bufio.NewScanner(&buf)
	lines, bad := 0, 0
	statuses := map[int]int{}
	var first, last time.Time
	for sc.Scan() {
		lines++
		r, err := Parse(sc.Text())
		if err != nil {
			bad++
			continue
		}
		statuses[r.Status/100]++
		if first.IsZero() {
			first = r.Time
		}
		last = r.Time
	}
	if lines != 5000 {
		t.Fatalf("lines = %d", lines)
	}
	if bad < 10 || bad > 120 {
		t.Errorf("malformed lines = %d, want about 50", bad)
	}
	if statuses[2] < 4000 || statuses[4] == 0 || statuses[5] == 0 || statuses[3] == 0 {
		t.Errorf("status mix %v is unrealistic", statuses)
	}
	// 5000 requests at 100/s span about 50 s.
	if span := last.Sub(first); span < 30*time.Second || span > 80*time.Second {
		t.Errorf("time span %v", span)
	}
}

// BenchmarkParse parses generated lines: logworker's per-line cost.
func BenchmarkParse(b *testing.B) {
	g := NewGenerator(1, time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC), 100)
	lines := make([]string, 1000)
	for i := range lines {
		r := g.Next()
		lines[i] = string(Append(nil, &r))
	}
	var rec Record
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := ParseInto(&rec, lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
}
