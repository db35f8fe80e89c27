// Package textproc turns free text into normalized terms: tokenizing,
// lowercasing, stop-word removal and light stemming, plus URL slugs.
//
// The search index and the Markdown renderer (heading anchors) share it so
// that a heading's anchor and the terms indexed for it agree.
package textproc
