package logrec

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// endpoint describes the traffic of one route of the imaginary shop.
type endpoint struct {
	method  string
	pattern string  // "{id}" is replaced by a number, "{sku}" by a product code
	weight  float64 // share of traffic
	// Median latency and the chance of a server error.
	median  time.Duration
	errRate float64
	bytes   int64 // typical response size
	query   []string
}

var endpoints = []endpoint{
	{"GET", "/", 12, 8 * time.Millisecond, 0.001, 18_000, nil},
	{"GET", "/static/app.{sku}.js", 10, 2 * time.Millisecond, 0, 240_000, nil},
	{"GET", "/static/style.{sku}.css", 8, 2 * time.Millisecond, 0, 42_000, nil},
	{"GET", "/products", 9, 35 * time.Millisecond, 0.004, 64_000, []string{"page=2", "sort=price", "category=shoes", "q=red+sneakers"}},
	{"GET", "/products/{sku}", 14, 22 * time.Millisecond, 0.003, 31_000, []string{"ref=home", "variant=blue"}},
	{"GET", "/api/v1/cart", 7, 15 * time.Millisecond, 0.002, 2_400, nil},
	{"POST", "/api/v1/cart/items", 4, 40 * time.Millisecond, 0.01, 900, nil},
	{"DELETE", "/api/v1/cart/items/{id}", 1, 30 * time.Millisecond, 0.01, 0, nil},
	{"POST", "/api/v1/orders", 1.5, 180 * time.Millisecond, 0.03, 1_200, nil},
	{"GET", "/api/v1/orders/{id}", 3, 25 * time.Millisecond, 0.005, 3_800, []string{"expand=items"}},
	{"GET", "/api/v1/search", 6, 60 * time.Millisecond, 0.008, 12_000, []string{"q=running+shoes", "q=rain+jacket&limit=20", "q=socks"}},
	{"POST", "/api/v1/login", 1, 120 * time.Millisecond, 0.002, 300, nil},
	{"GET", "/healthz", 5, 300 * time.Microsecond, 0, 60, nil},
	{"GET", "/account/settings", 1, 28 * time.Millisecond, 0.002, 16_000, nil},
}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"kube-probe/1.31",
	"curl/8.5.0",
	"python-requests/2.32.3",
	"Go-http-client/1.1",
}

var referers = []string{"-", "-", "-", "https://shop.example.com/", "https://shop.example.com/products", "https://www.google.com/", "https://news.example.org/deals", "https://shop.example.com/cart"}

// Generator produces a realistic, deterministic stream of records: skewed
// client and product popularity, per-route latency and error profiles, bot
// and health-check traffic, and timestamps advancing at a given rate.
type Generator struct {
	r         *rand.Rand
	now       time.Time
	perSecond float64
	cumWeight []float64
	clients   []string
	// MalformedRate is the fraction of lines GenerateTo corrupts, to
	// exercise error handling in consumers (default 0.001).
	MalformedRate float64
}

// NewGenerator returns a Generator starting at start with about perSecond
// requests per second.
func NewGenerator(seed uint64, start time.Time, perSecond float64) *Generator {
	g := &Generator{
		r:             rand.New(rand.NewPCG(seed, 0xda3e39cb94b95bdb)),
		now:           start.UTC(),
		perSecond:     perSecond,
		MalformedRate: 0.001,
	}
	total := 0.0
	for _, e := range endpoints {
		total += e.weight
		g.cumWeight = append(g.cumWeight, total)
	}
	g.clients = make([]string, 5000)
	for i := range g.clients {
		g.clients[i] = fmt.Sprintf("%d.%d.%d.%d", []int{10, 172, 192, 203}[g.r.IntN(4)], g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
	}
	return g
}

// skewed returns an index in [0, n) where low indexes are much more likely.
func (g *Generator) skewed(n int) int {
	return int(float64(n) * math.Pow(g.r.Float64(), 3))
}

// Next returns the next record.
func (g *Generator) Next() Record {
	// Exponential inter-arrival times: a Poisson process.
	g.now = g.now.Add(time.Duration(g.r.ExpFloat64() / g.perSecond * float64(time.Second)))
	x := g.r.Float64() * g.cumWeight[len(g.cumWeight)-1]
	idx := 0
	for idx < len(g.cumWeight)-1 && g.cumWeight[idx] < x {
		idx++
	}
	e := &endpoints[idx]

	target := e.pattern
	target = replaceOnce(target, "{id}", strconv.Itoa(1000+g.skewed(90000)))
	target = replaceOnce(target, "{sku}", "p"+strconv.Itoa(10000+g.skewed(5000)))
	if len(e.query) > 0 && g.r.IntN(3) == 0 {
		target += "?" + e.query[g.r.IntN(len(e.query))]
	}

	// Log-normal latency around the route's median, with a fat tail.
	d := time.Duration(float64(e.median) * math.Exp(g.r.NormFloat64()*0.6))
	if g.r.IntN(200) == 0 {
		d *= time.Duration(5 + g.r.IntN(20))
	}
	status := 200
	switch u := g.r.Float64(); {
	case u < e.errRate:
		status = []int{500, 502, 503, 504}[g.r.IntN(4)]
		if status == 504 {
			d += 30 * time.Second
		}
	case u < e.errRate+0.02:
		status = []int{400, 401, 403, 404, 404, 404, 429}[g.r.IntN(7)]
	case e.method == "GET" && u < e.errRate+0.06:
		status = 304
	case e.method == "POST" && e.pattern != "/api/v1/login":
		status = 201
	case e.method == "DELETE":
		status = 204
	}
	var size int64
	if status < 300 && status != 204 {
		size = int64(float64(e.bytes) * (0.5 + g.r.Float64()))
	} else if status >= 400 {
		size = int64(100 + g.r.IntN(400))
	}

	ua := userAgents[g.skewed(len(userAgents))]
	if e.pattern == "/healthz" {
		ua = "kube-probe/1.31"
	}
	user := "-"
	if e.method != "GET" && g.r.IntN(2) == 0 {
		user = "user" + strconv.Itoa(g.skewed(20000))
	}
	return Record{
		RemoteAddr: g.clients[g.skewed(len(g.clients))],
		User:       user,
		Time:       g.now,
		Method:     e.method,
		Target:     target,
		Proto:      []string{"HTTP/1.1", "HTTP/2.0"}[g.r.IntN(2)],
		Status:     status,
		Bytes:      size,
		Referer:    referers[g.r.IntN(len(referers))],
		UserAgent:  ua,
		Duration:   d,
	}
}

// GenerateTo writes n lines to w and returns the number of bytes written.
// About MalformedRate of the lines are truncated or garbled.
func (g *Generator) GenerateTo(w io.Writer, n int) (int64, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var written int64
	var line []byte
	for i := 0; i < n; i++ {
		rec := g.Next()
		line = Append(line[:0], &rec)
		if g.MalformedRate > 0 && g.r.Float64() < g.MalformedRate {
			line = line[:g.r.IntN(len(line))]
		}
		line = append(line, '\n')
		m, err := bw.Write(line)
		written += int64(m)
		if err != nil {
			return written, err
		}
	}
	return written, bw.Flush()
}

func replaceOnce(s, old, repl string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + repl + s[i+len(old):]
		}
	}
	return s
}
