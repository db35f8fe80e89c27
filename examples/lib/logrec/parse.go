package logrec

import (
	"fmt"
	"time"
)

// ParseError describes why a line is not a valid record.
type ParseError struct {
	// Field is the field being parsed when the error was found.
	Field string
	// Offset is the byte offset in the line.
	Offset int
	// Reason says what was expected.
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("offset %d: %s: %s", e.Offset, e.Field, e.Reason)
}

// lineParser walks one line; it is a struct so the field helpers can share
// the cursor without allocating.
type lineParser struct {
	s   string
	pos int
}

func (p *lineParser) fail(field, reason string) *ParseError {
	return &ParseError{Field: field, Offset: p.pos, Reason: reason}
}

// word reads up to the next space and skips it.
func (p *lineParser) word(field string) (string, *ParseError) {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != ' ' {
		p.pos++
	}
	if p.pos == start {
		return "", p.fail(field, "empty")
	}
	w := p.s[start:p.pos]
	p.skipSpace()
	return w, nil
}

func (p *lineParser) skipSpace() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

// quoted reads a double-quoted field with backslash escapes (nginx escapes
// quotes as \x22 or \"); the raw text between the quotes is returned.
func (p *lineParser) quoted(field string) (string, *ParseError) {
	if p.pos >= len(p.s) || p.s[p.pos] != '"' {
		return "", p.fail(field, `expected '"'`)
	}
	p.pos++
	start := p.pos
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case '\\':
			p.pos += 2
			continue
		case '"':
			v := p.s[start:p.pos]
			p.pos++
			p.skipSpace()
			return v, nil
		}
		p.pos++
	}
	return "", p.fail(field, "unterminated quote")
}

// int reads a non-negative decimal integer.
func (p *lineParser) int(field string) (int64, *ParseError) {
	start := p.pos
	var n int64
	for p.pos < len(p.s) && '0' <= p.s[p.pos] && p.s[p.pos] <= '9' {
		n = n*10 + int64(p.s[p.pos]-'0')
		p.pos++
		if p.pos-start > 18 {
			return 0, p.fail(field, "number too large")
		}
	}
	if p.pos == start {
		if p.pos < len(p.s) && p.s[p.pos] == '-' {
			// nginx writes "-" for a missing byte count.
			p.pos++
			p.skipSpace()
			return 0, nil
		}
		return 0, p.fail(field, "expected a number")
	}
	p.skipSpace()
	return n, nil
}

// Parse parses one line (without its newline).
func Parse(line string) (Record, error) {
	var r Record
	if err := ParseInto(&r, line); err != nil {
		return Record{}, err
	}
	return r, nil
}

// ParseInto parses line into r, reusing r to avoid allocation in batch
// loops. On error r is left partially filled.
func ParseInto(r *Record, line string) error {
	p := lineParser{s: line}
	var perr *ParseError
	if r.RemoteAddr, perr = p.word("remote_addr"); perr != nil {
		return perr
	}
	if _, perr = p.word("ident"); perr != nil {
		return perr
	}
	if r.User, perr = p.word("user"); perr != nil {
		return perr
	}
	if p.pos >= len(p.s) || p.s[p.pos] != '[' {
		return p.fail("time", "expected '['")
	}
	const layoutLen = len("02/Jan/2006:15:04:05 -0700")
	if p.pos+1+layoutLen >= len(p.s) || p.s[p.pos+1+layoutLen] != ']' {
		return p.fail("time", "expected a [dd/Mon/yyyy:hh:mm:ss zone] timestamp")
	}
	t, ok := parseTimestamp(p.s[p.pos+1 : p.pos+1+layoutLen])
	if !ok {
		return p.fail("time", "invalid timestamp")
	}
	r.Time = t
	p.pos += layoutLen + 2
	p.skipSpace()

	req, perr := p.quoted("request")
	if perr != nil {
		return perr
	}
	if err := splitRequest(r, req); err != nil {
		return &ParseError{Field: "request", Offset: p.pos, Reason: err.Error()}
	}
	status, perr := p.int("status")
	if perr != nil {
		return perr
	}
	if status < 100 || status > 599 {
		return p.fail("status", "out of range")
	}
	r.Status = int(status)
	if r.Bytes, perr = p.int("bytes"); perr != nil {
		return perr
	}
	if r.Referer, perr = p.quoted("referer"); perr != nil {
		return perr
	}
	if r.UserAgent, perr = p.quoted("user_agent"); perr != nil {
		return perr
	}
	d, ok := parseSeconds(p.s[p.pos:])
	if !ok {
		return p.fail("request_time", "expected seconds like 0.042")
	}
	r.Duration = d
	return nil
}

// splitRequest splits "GET /path HTTP/1.1" into its parts.
func splitRequest(r *Record, req string) error {
	sp1 := -1
	sp2 := -1
	for i := 0; i < len(req); i++ {
		if req[i] == ' ' {
			if sp1 < 0 {
				sp1 = i
			} else {
				sp2 = i
			}
		}
	}
	if sp1 <= 0 || sp2 <= sp1+1 || sp2 == len(req)-1 {
		return fmt.Errorf("malformed request line %q", req)
	}
	r.Method, r.Target, r.Proto = req[:sp1], req[sp1+1:sp2], req[sp2+1:]
	return nil
}

var months = map[string]time.Month{
	"Jan": time.January, "Feb": time.February, "Mar": time.March, "Apr": time.April,
	"May": time.May, "Jun": time.June, "Jul": time.July, "Aug": time.August,
	"Sep": time.September, "Oct": time.October, "Nov": time.November, "Dec": time.December,
}

// parseTimestamp parses "02/Jan/2006:15:04:05 -0700" by hand: time.Parse
// is general and several times slower, and every line has one.
func parseTimestamp(s string) (time.Time, bool) {
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	if s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ' {
		return time.Time{}, false
	}
	day, ok1 := num(0, 2)
	month, ok2 := months[s[3:6]]
	year, ok3 := num(7, 4)
	hour, ok4 := num(12, 2)
	minute, ok5 := num(15, 2)
	sec, ok6 := num(18, 2)
	zh, ok7 := num(22, 2)
	zm, ok8 := num(24, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) || (s[21] != '+' && s[21] != '-') {
		return time.Time{}, false
	}
	if day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	offset := zh*3600 + zm*60
	if s[21] == '-' {
		offset = -offset
	}
	loc := time.UTC
	if offset != 0 {
		loc = time.FixedZone("", offset)
	}
	return time.Date(year, month, day, hour, minute, sec, 0, loc), true
}

// parseSeconds parses a non-negative decimal number of seconds with up to
// nanosecond precision, e.g. "0.042" or "12".
func parseSeconds(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	var whole, frac int64
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		whole = whole*10 + int64(s[i]-'0')
		if whole > 1<<32 {
			return 0, false
		}
	}
	if i == 0 {
		return 0, false
	}
	scale := int64(time.Second)
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if scale > 1 {
				scale /= 10
				frac += int64(s[i]-'0') * scale
			}
		}
	}
	if i != len(s) {
		return 0, false
	}
	return time.Duration(whole)*time.Second + time.Duration(frac), true
}
