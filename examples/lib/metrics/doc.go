// Package metrics records counters and latency distributions for the
// services, the batch worker and the load drivers, and exposes them in the
// Prometheus text format.
package metrics
