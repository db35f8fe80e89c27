// Package htmlutil holds the small HTML primitives shared by the renderers:
// allocation-free escaping, a buffered tag writer and URL sanitizing.
//
// The Markdown renderer and the search snippet builder both produce HTML on
// request hot paths, so everything here appends into caller-owned buffers
// instead of returning fresh strings.
package htmlutil
