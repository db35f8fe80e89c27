// Package logrec parses, formats and generates HTTP access log records in
// the "combined" format extended with the request duration, as written by
// nginx with `$request_time` appended:
//
//	203.0.113.9 - alice [21/Nov/2025:05:15:02 +0000] "GET /api/v1/orders/42 HTTP/1.1" 200 5123 "https://shop.example.com/" "Mozilla/5.0 …" 0.042
package logrec

import "time"

// Record is one access log line.
type Record struct {
	RemoteAddr string
	User       string // "-" when unauthenticated
	Time       time.Time
	Method     string
	Target     string // path and query, as requested
	Proto      string
	Status     int
	Bytes      int64
	Referer    string // "-" when absent
	UserAgent  string
	Duration   time.Duration
}

// Path returns the target without its query string.
func (r *Record) Path() string {
	for i := 0; i < len(r.Target); i++ {
		if r.Target[i] == '?' {
			return r.Target[:i]
		}
	}
	return r.Target
}
