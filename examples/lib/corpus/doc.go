// Package corpus generates realistic, deterministic test data: engineering
// documents in Markdown and search queries over their vocabulary.
//
// Load drivers use it to send varied traffic (so profiles reflect real
// documents rather than one repeated string), searchd uses it to seed its
// index, and tests use it as a large input. Everything derives from a seed,
// so two runs with the same seed produce identical data.
package corpus
