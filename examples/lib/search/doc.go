// Package search is an in-memory full-text index: documents are analyzed
// into terms (textproc), stored in positional posting lists, and queries are
// ranked with BM25. Queries support optional terms, +required and -excluded
// terms and "quoted phrases". Results carry an HTML snippet with the matched
// terms highlighted.
package search
