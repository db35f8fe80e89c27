package logrec

import (
	"strconv"
	"time"
)

// Layout is the timestamp layout of the log format.
const Layout = "02/Jan/2006:15:04:05 -0700"

// Append appends r as one log line (without a newline) to dst.
func Append(dst []byte, r *Record) []byte {
	dst = append(dst, r.RemoteAddr...)
	dst = append(dst, " - "...)
	dst = append(dst, orDash(r.User)...)
	dst = append(dst, " ["...)
	dst = r.Time.AppendFormat(dst, Layout)
	dst = append(dst, "] \""...)
	dst = append(dst, r.Method...)
	dst = append(dst, ' ')
	dst = appendEscaped(dst, r.Target)
	dst = append(dst, ' ')
	dst = append(dst, r.Proto...)
	dst = append(dst, "\" "...)
	dst = strconv.AppendInt(dst, int64(r.Status), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, r.Bytes, 10)
	dst = append(dst, " \""...)
	dst = appendEscaped(dst, orDash(r.Referer))
	dst = append(dst, "\" \""...)
	dst = appendEscaped(dst, orDash(r.UserAgent))
	dst = append(dst, "\" "...)
	dst = strconv.AppendFloat(dst, r.Duration.Round(time.Millisecond).Seconds(), 'f', 3, 64)
	return dst
}

// appendEscaped writes quotes and backslashes the way nginx does (\x22,
// \x5C) so quoted fields always parse.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			dst = append(dst, `\x22`...)
		case '\\':
			dst = append(dst, `\x5C`...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
