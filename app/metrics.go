package app

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are natowatch's Prometheus metrics, on a registry of their own.
type metrics struct {
	reg        func() *prometheus.Registry // built on first use (Handler)
	checks     *prometheus.CounterVec      // source, result=ok|error
	notMod     *prometheus.CounterVec      // source
	releases   *prometheus.CounterVec      // source, event=new|updated|recorded|suspect
	deliveries *prometheus.CounterVec      // result=sent|retried|failed
	latency    prometheus.Histogram        // publish → post
	pending    prometheus.GaugeFunc        // outbox depth
	lastCheck  *prometheus.GaugeVec        // source: unix time of the last successful check
	failing    *prometheus.GaugeVec        // source: 1 while failing
	dupRisk    prometheus.Counter          // webhook resends after an unknown outcome
	checkTime  *prometheus.HistogramVec    // source
	listings   *prometheus.CounterVec      // source, route=json|sitemap|hub|feed|page (joined with + when several)

	mu     sync.Mutex
	routes map[string]string // source: the route of its last listing, for /status
}

func newMetrics(pending func() float64) *metrics {
	m := &metrics{
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "natowatch_checks_total",
			Help: "Checks of a source, by result."}, []string{"source", "result"}),
		notMod: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "natowatch_not_modified_total",
			Help: "Pages and listings answered 304 Not Modified."}, []string{"source"}),
		releases: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "natowatch_releases_total",
			Help: "Releases seen, by event: new, updated, recorded (without an alert), suspect."}, []string{"source", "event"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "natowatch_deliveries_total",
			Help: "Alert deliveries, by result: sent, retried, failed."}, []string{"result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "natowatch_publish_to_post_seconds",
			Help:    "Time from a release's published time to its message in Discord.",
			Buckets: []float64{10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600}}),
		lastCheck: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "natowatch_source_last_success_timestamp_seconds",
			Help: "When a source was last read without errors."}, []string{"source"}),
		failing: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "natowatch_source_failing",
			Help: "1 while a source's checks fail."}, []string{"source"}),
		dupRisk: prometheus.NewCounter(prometheus.CounterOpts{Name: "natowatch_possible_duplicates_total",
			Help: "Webhook posts resent after an outcome that was not known (a possible duplicate)."}),
		checkTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "natowatch_check_duration_seconds",
			Help: "How long a check of a source takes.", Buckets: prometheus.DefBuckets}, []string{"source"}),
	}
	m.listings = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "natowatch_listings_total",
		Help: "Listings read, by the route that answered."}, []string{"source", "route"})
	m.routes = map[string]string{}
	m.pending = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "natowatch_outbox_pending",
		Help: "Alerts waiting to be delivered."}, pending)
	// The registry, with the Go and process collectors, only for a
	// process that serves /metrics.
	m.reg = sync.OnceValue(func() *prometheus.Registry {
		reg := prometheus.NewRegistry()
		reg.MustRegister(m.checks, m.notMod, m.releases, m.deliveries, m.latency, m.pending, m.lastCheck, m.failing,
			m.dupRisk, m.checkTime, m.listings, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
		return reg
	})
	return m
}

func (m *metrics) observeCheck(source string, res CheckResult, err error, took time.Duration) {
	result := "ok"
	if err != nil {
		result = "error"
		m.failing.WithLabelValues(source).Set(1)
	} else {
		m.failing.WithLabelValues(source).Set(0)
		m.lastCheck.WithLabelValues(source).Set(float64(time.Now().Unix()))
	}
	m.checks.WithLabelValues(source, result).Inc()
	m.notMod.WithLabelValues(source).Add(float64(res.NotModified))
	m.releases.WithLabelValues(source, "new").Add(float64(res.New))
	m.releases.WithLabelValues(source, "updated").Add(float64(res.Updated))
	m.releases.WithLabelValues(source, "recorded").Add(float64(res.Recorded))
	m.releases.WithLabelValues(source, "suspect").Add(float64(res.Suspect))
	m.checkTime.WithLabelValues(source).Observe(took.Seconds())
}

// observeRoute counts a listing by the route that answered it.
func (m *metrics) observeRoute(source, route string) {
	if route == "" {
		route = "none"
	}
	m.listings.WithLabelValues(source, route).Inc()
	m.mu.Lock()
	m.routes[source] = route
	m.mu.Unlock()
}

// route is the route of a source's last listing, "" before the first.
func (m *metrics) route(source string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.routes[source]
}
