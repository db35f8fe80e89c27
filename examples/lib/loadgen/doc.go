// Package loadgen is the closed-loop load generator behind the example load
// drivers: N workers issue requests back to back for a duration or a request
// count, and the report gives throughput and latency percentiles.
package loadgen
