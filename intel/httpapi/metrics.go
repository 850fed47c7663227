package httpapi

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's Prometheus metrics. Labels are route patterns,
// methods and status codes only: never ids, parameters or anything personal.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// Jobs times background work (network recomputation, retention, imports).
	Jobs *prometheus.HistogramVec
}

// NewMetrics registers the HTTP, pool, job and Go runtime metrics.
func NewMetrics(pool *pgxpool.Pool) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "contextmap_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "contextmap_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
		Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "method"})
	m.Jobs = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "contextmap_job_duration_seconds", Help: "Background job durations by job and outcome.",
		Buckets: prometheus.ExponentialBuckets(0.01, 3, 12),
	}, []string{"job", "outcome"})
	m.Registry.MustRegister(m.requests, m.latency, m.Jobs, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), poolCollector{pool})
	return m
}

// middleware counts and times every request under its route pattern.
func (m *Metrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = statusFor(err)
	}
	// Fiber's strings point into reused buffers: labels must own theirs.
	route, method := strings.Clone(routeOf(c)), strings.Clone(c.Method())
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	return err
}

// handler serves /metrics.
func (m *Metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
}

// poolCollector exports the database pool's statistics.
type poolCollector struct{ pool *pgxpool.Pool }

var (
	poolTotal    = prometheus.NewDesc("contextmap_db_pool_connections", "Database pool connections by state.", []string{"state"}, nil)
	poolMax      = prometheus.NewDesc("contextmap_db_pool_max_connections", "Largest size of the database pool.", nil, nil)
	poolAcquires = prometheus.NewDesc("contextmap_db_pool_acquires_total", "Connections acquired from the pool.", nil, nil)
	poolWaits    = prometheus.NewDesc("contextmap_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.", nil, nil)
	poolWaitTime = prometheus.NewDesc("contextmap_db_pool_acquire_wait_seconds_total", "Time spent waiting for connections.", nil, nil)
)

func (p poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolTotal, poolMax, poolAcquires, poolWaits, poolWaitTime} {
		ch <- d
	}
}

func (p poolCollector) Collect(ch chan<- prometheus.Metric) {
	if p.pool == nil {
		return
	}
	s := p.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.AcquiredConns()), "in_use")
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.ConstructingConns()), "opening")
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaitTime, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
