package htmlutil

import "io"

// Writer accumulates HTML in a growable buffer. Its zero value is ready to
// use; Reset keeps the capacity so pooled writers stop allocating once warm.
type Writer struct {
	buf []byte
}

// NewWriter returns a Writer whose buffer starts with the given capacity.
func NewWriter(capacity int) *Writer {
	return &Writer{buf: make([]byte, 0, capacity)}
}

// Raw appends s verbatim. The caller guarantees s is valid HTML.
func (w *Writer) Raw(s string) { w.buf = append(w.buf, s...) }

// RawByte appends one byte verbatim.
func (w *Writer) RawByte(c byte) { w.buf = append(w.buf, c) }

// Text appends s with HTML special characters escaped.
func (w *Writer) Text(s string) { w.buf = AppendEscaped(w.buf, s) }

// Open appends an opening tag with no attributes, e.g. "<p>".
func (w *Writer) Open(tag string) {
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, tag...)
	w.buf = append(w.buf, '>')
}

// OpenAttrs appends an opening tag with attributes given as name/value
// pairs; values are escaped. An odd trailing name is ignored. Empty values
// are skipped so callers can pass optional attributes unconditionally.
func (w *Writer) OpenAttrs(tag string, attrs ...string) {
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, tag...)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == "" {
			continue
		}
		w.Attr(attrs[i], attrs[i+1])
	}
	w.buf = append(w.buf, '>')
}

// Attr appends ` name="value"` with the value escaped. It is meant to be
// used between Raw("<tag") and Raw(">") when attributes are built piecemeal.
func (w *Writer) Attr(name, value string) {
	w.buf = append(w.buf, ' ')
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '=', '"')
	w.buf = AppendEscaped(w.buf, value)
	w.buf = append(w.buf, '"')
}

// URLAttr appends ` name="url"` after making the URL safe (see SafeURL) and
// percent-encoding it.
func (w *Writer) URLAttr(name, url string) {
	w.buf = append(w.buf, ' ')
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '=', '"')
	w.buf = AppendURL(w.buf, SafeURL(url))
	w.buf = append(w.buf, '"')
}

// Close appends a closing tag, e.g. "</p>".
func (w *Writer) Close(tag string) {
	w.buf = append(w.buf, '<', '/')
	w.buf = append(w.buf, tag...)
	w.buf = append(w.buf, '>')
}

// Newline appends a line feed; renderers emit one after block elements so
// the output stays diff-friendly.
func (w *Writer) Newline() { w.buf = append(w.buf, '\n') }

// Len returns the number of bytes written so far.
func (w *Writer) Len() int { return len(w.buf) }

// Bytes returns the accumulated HTML. The slice aliases the buffer and is
// only valid until the next write or Reset.
func (w *Writer) Bytes() []byte { return w.buf }

// String returns a copy of the accumulated HTML.
func (w *Writer) String() string { return string(w.buf) }

// Reset empties the buffer but keeps its capacity.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// WriteTo writes the accumulated HTML to dst, implementing io.WriterTo.
func (w *Writer) WriteTo(dst io.Writer) (int64, error) {
	n, err := dst.Write(w.buf)
	return int64(n), err
}
