package app

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
)

// metrics are natowatch's Prometheus metrics, in a set of their own
// (VictoriaMetrics/metrics writes the text format without the official
// client's protobuf and collectors, whose start-up every `once` paid).
// Series with labels are made on first use.
type metrics struct {
	set        *vm.Set
	dupRisk    *vm.Counter             // webhook resends after an unknown outcome
	latency    *vm.PrometheusHistogram // publish → post
	deliveries struct {
		sent, retried, failed *vm.Counter
	}

	mu     sync.Mutex
	routes map[string]string // source: the route of its last listing, for /status
}

// checkBuckets are natowatch_check_duration_seconds's buckets (the
// official client's defaults, which the metric has always had).
var checkBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics(pending func() float64) *metrics {
	vm.ExposeMetadata(true) // # TYPE lines, so that scrapers know counters from gauges
	m := &metrics{set: vm.NewSet(), routes: map[string]string{}}
	m.dupRisk = m.set.NewCounter("natowatch_possible_duplicates_total")
	m.latency = m.set.NewPrometheusHistogramExt("natowatch_publish_to_post_seconds",
		[]float64{10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600})
	m.deliveries.sent = m.set.NewCounter(`natowatch_deliveries_total{result="sent"}`)
	m.deliveries.retried = m.set.NewCounter(`natowatch_deliveries_total{result="retried"}`)
	m.deliveries.failed = m.set.NewCounter(`natowatch_deliveries_total{result="failed"}`)
	m.set.NewGauge("natowatch_outbox_pending", pending)
	return m
}

// series names a metric with its labels, sorted by name and their values
// escaped, as the text format has them: series("x", "source", "a") is
// x{source="a"}.
func series(name string, labels ...string) string {
	type label struct{ name, value string }
	ls := make([]label, 0, len(labels)/2)
	for i := 0; i+1 < len(labels); i += 2 {
		ls = append(ls, label{labels[i], labels[i+1]})
	}
	slices.SortFunc(ls, func(a, b label) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	b.WriteString(name)
	sep := "{"
	for _, l := range ls {
		b.WriteString(sep + l.name + `="` + labelEscaper.Replace(l.value) + `"`)
		sep = ","
	}
	if len(ls) > 0 {
		b.WriteByte('}')
	}
	return b.String()
}

// labelEscaper escapes a label value as the text format wants.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func (m *metrics) observeCheck(source string, res CheckResult, err error, took time.Duration) {
	result := "ok"
	failing := m.set.GetOrCreateGauge(series("natowatch_source_failing", "source", source), nil)
	if err != nil {
		result = "error"
		failing.Set(1)
	} else {
		failing.Set(0)
		m.set.GetOrCreateGauge(series("natowatch_source_last_success_timestamp_seconds", "source", source), nil).Set(float64(time.Now().Unix()))
	}
	m.set.GetOrCreateCounter(series("natowatch_checks_total", "source", source, "result", result)).Inc()
	m.set.GetOrCreateCounter(series("natowatch_not_modified_total", "source", source)).Add(res.NotModified)
	for event, n := range map[string]int{"new": res.New, "updated": res.Updated, "recorded": res.Recorded, "suspect": res.Suspect} {
		m.set.GetOrCreateCounter(series("natowatch_releases_total", "source", source, "event", event)).Add(n)
	}
	m.set.GetOrCreatePrometheusHistogramExt(series("natowatch_check_duration_seconds", "source", source), checkBuckets).Update(took.Seconds())
}

// observeRoute counts a listing by the route that answered it.
func (m *metrics) observeRoute(source, route string) {
	if route == "" {
		route = "none"
	}
	m.set.GetOrCreateCounter(series("natowatch_listings_total", "source", source, "route", route)).Inc()
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

// help describes natowatch's metric families (the library writes their
// # HELP lines empty).
var help = map[string]string{
	"natowatch_checks_total":                          "Checks of a source, by result.",
	"natowatch_not_modified_total":                    "Pages and listings answered 304 Not Modified.",
	"natowatch_releases_total":                        "Releases seen, by event: new, updated, recorded (without an alert), suspect.",
	"natowatch_deliveries_total":                      "Alert deliveries, by result: sent, retried, failed.",
	"natowatch_publish_to_post_seconds":               "Time from a release's published time to its message in Discord.",
	"natowatch_source_last_success_timestamp_seconds": "When a source was last read without errors.",
	"natowatch_source_failing":                        "1 while a source's checks fail.",
	"natowatch_possible_duplicates_total":             "Webhook posts resent after an outcome that was not known (a possible duplicate).",
	"natowatch_check_duration_seconds":                "How long a check of a source takes.",
	"natowatch_listings_total":                        "Listings read, by the route that answered.",
	"natowatch_outbox_pending":                        "Alerts waiting to be delivered.",
}

// write writes the metrics, with the Go runtime's and the process's
// (open file descriptors included), in Prometheus's text format.
func (m *metrics) write(w io.Writer) {
	var b bytes.Buffer
	m.set.WritePrometheus(&b)
	for line := range strings.Lines(b.String()) {
		if name, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "# HELP "); ok && help[name] != "" {
			line = "# HELP " + name + " " + help[name] + "\n"
		}
		io.WriteString(w, line)
	}
	vm.WriteProcessMetrics(w)
	vm.WriteFDMetrics(w)
}
