package httpx

import (
	"net/http"
	"time"

	"example.com/examples/lib/metrics"
	"example.com/examples/lib/procstat"
)

// Health is the JSON body of GET /healthz.
type Health struct {
	Status        string            `json:"status"`
	Service       string            `json:"service"`
	UptimeSeconds float64           `json:"uptime_seconds"`
	Process       procstat.Snapshot `json:"process"`
}

// HealthHandler answers GET /healthz with the service name, uptime and
// process resource usage.
func HealthHandler(service string, started time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = WriteJSON(w, http.StatusOK, Health{
			Status:        "ok",
			Service:       service,
			UptimeSeconds: time.Since(started).Seconds(),
			Process:       procstat.Read(),
		})
	})
}

// MetricsHandler serves reg in the Prometheus text format.
func MetricsHandler(reg *metrics.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_ = reg.WriteText(w)
	})
}
