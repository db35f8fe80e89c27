// Command builder runs the steps of pgobuild actions that are not SDK tools, as a process with
// declared inputs and outputs (rules_go has such builders). pgobuild compiles it from this source
// with the selected Go SDK, caches it like any action, and declares its digest as an input of
// every action that runs it. It imports only the os and strconv packages so that building it with
// a fresh build cache stays cheap.
//
// Usage:
//
//	builder pack r <archive> <member>...
//
// appends the members to an existing Go archive exactly as cmd/go's in-process pack does
// (packInternal in cmd/go/internal/work/gc.go): for each member, a 60-byte Unix ar header
// ("%-16s%-12d%-6d%-6d%-8o%-10d`\n" with the base name cut to 16 bytes, mtime 0, uid 0, gid 0,
// mode 0644 and the size), its bytes, and one NUL pad byte when the size is odd.
package main

import (
	"os"
	"strconv"
)

func main() {
	args := os.Args[1:]
	if len(args) < 3 || args[0] != "pack" || args[1] != "r" {
		fail("usage: builder pack r <archive> <member>...")
	}
	if err := pack(args[2], args[3:]); err != nil {
		fail("builder: pack: " + err.Error())
	}
}

func fail(msg string) {
	os.Stderr.WriteString(msg + "\n")
	os.Exit(2)
}

// pack appends members to archive. Every member is read before the archive is opened, so a
// missing member leaves the archive untouched. Like cmd/go, it opens the archive without
// O_CREATE (it must exist) and does not check its magic.
func pack(archive string, members []string) error {
	var buf []byte
	for _, member := range members {
		data, err := os.ReadFile(member)
		if err != nil {
			return err
		}
		buf = append(buf, header(baseName(member), len(data))...)
		buf = append(buf, data...)
		if len(data)&1 != 0 {
			buf = append(buf, 0)
		}
	}
	dst, err := os.OpenFile(archive, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := dst.Write(buf); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// header formats a member header as cmd/go does: the name is measured in bytes, not runes.
func header(name string, size int) []byte {
	if len(name) > 16 {
		name = name[:16]
	}
	h := make([]byte, 0, 60)
	h = pad(h, name, 16)
	h = pad(h, "0", 12)                        // mtime
	h = pad(h, "0", 6)                         // uid
	h = pad(h, "0", 6)                         // gid
	h = pad(h, strconv.FormatInt(0o644, 8), 8) // mode
	h = pad(h, strconv.Itoa(size), 10)
	return append(h, '`', '\n')
}

// pad appends s left-justified in a field of width bytes (Go's %-Nd never truncates).
func pad(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for i := len(s); i < width; i++ {
		b = append(b, ' ')
	}
	return b
}

// baseName is what os.File.Stat().Name() reports for a path: its last element.
func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
