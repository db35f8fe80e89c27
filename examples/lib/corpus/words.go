package corpus

// nouns, verbs and adjectives are the vocabulary of generated documents:
// the kind of words found in a company's engineering wiki.
var nouns = []string{
	"service", "request", "latency", "cache", "database", "cluster", "deployment",
	"profile", "binary", "compiler", "handler", "queue", "worker", "index", "query",
	"token", "document", "schema", "migration", "replica", "shard", "endpoint",
	"timeout", "retry", "budget", "incident", "dashboard", "alert", "metric",
	"trace", "span", "log", "pipeline", "artifact", "release", "rollout", "canary",
	"config", "secret", "certificate", "load balancer", "proxy", "gateway",
	"connection", "pool", "buffer", "allocation", "heap", "goroutine", "channel",
	"mutex", "benchmark", "regression", "throughput", "build", "test", "module",
	"package", "dependency", "interface", "struct", "function", "inliner",
	"runbook", "on-call", "pager", "customer", "tenant", "quota", "region",
	"storage", "bucket", "snapshot", "backup", "checksum", "hash", "digest",
	"parser", "renderer", "template", "stylesheet", "markdown", "report",
}

var verbs = []string{
	"deploy", "profile", "measure", "reduce", "increase", "optimize", "cache",
	"retry", "shard", "replicate", "rollback", "monitor", "alert", "inline",
	"allocate", "parse", "render", "index", "compress", "encrypt", "validate",
	"migrate", "benchmark", "schedule", "throttle", "drain", "restart", "scale",
	"batch", "stream", "aggregate", "serialize", "configure", "review", "merge",
}

var adjectives = []string{
	"fast", "slow", "hot", "cold", "stale", "fresh", "critical", "minor",
	"regional", "global", "internal", "external", "idempotent", "concurrent",
	"parallel", "sequential", "incremental", "hermetic", "reproducible",
	"stable", "flaky", "noisy", "quiet", "expensive", "cheap", "large", "small",
	"primary", "secondary", "default", "optional", "deprecated", "experimental",
}

var connectors = []string{
	"because", "so that", "while", "although", "before", "after", "when",
	"unless", "until", "since", "and then", "which means",
}

var teams = []string{"payments", "search", "platform", "growth", "infra", "data", "identity", "billing"}

var languages = []string{"go", "bash", "json", "yaml", "sql"}

var hosts = []string{"go.dev", "wiki.example.com", "grafana.example.com", "github.com/example", "docs.example.com"}
