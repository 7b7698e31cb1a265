package bench

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"
)

// LatencyResult is the time from a release appearing on the site to its
// message at Discord, for each release.
type LatencyResult struct {
	Latencies []time.Duration // in publication order
	P50, P99  time.Duration
	Max       time.Duration
}

// RunLatency runs the daemon (`natowatch run`, a schedule of "@every
// 10s") against the fake site and the fake Discord, publishes n releases
// at random moments (2 to 6 s apart, so every phase of the schedule is
// hit) and measures how long each takes to reach Discord.
// perHostRate, when not 0, sets http.per_host_rate (the default is 2).
func RunLatency(natowatch, dir string, n int, schedule string, perHostRate float64) (LatencyResult, error) {
	var res LatencyResult
	srv, site, err := startFakes()
	if err != nil {
		return res, err
	}
	defer srv.Close()
	defer site.Close()
	items, err := Items(n + 1)
	if err != nil {
		return res, err
	}
	items[0].Date = time.Now().Add(-time.Hour)
	site.Publish(items[0]) // the first check has something to record
	conf := fakesConfig(filepath.Join(dir, "latency.db"), srv, site) +
		fmt.Sprintf("    schedule: %q\nlog:\n  level: warn\ntargets:\n  - channel: \"223344556677889900\"\n", schedule)
	if perHostRate != 0 {
		conf += fmt.Sprintf("http:\n  per_host_rate: %g\n", perHostRate)
	}
	cfg, err := writeConfig(dir, "latency", conf)
	if err != nil {
		return res, err
	}
	p, err := startNatowatch(natowatch, cfg, "run")
	if err != nil {
		return res, err
	}
	defer p.stop()
	// The first check (at start) records what is there.
	for deadline := time.Now().Add(30 * time.Second); site.Requests() < 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return res, fmt.Errorf("the daemon never checked the site:\n%s", p.tail())
		}
	}
	time.Sleep(time.Second)

	rng := rand.New(rand.NewPCG(5, 10))
	published := make([]time.Time, n)
	byURL := make(map[string]int, n) // the feed's link of each release, as the alert has it
	res.Latencies = make([]time.Duration, n)
	seen := 0
	collect := func() {
		for _, m := range srv.Messages() {
			if len(m.Embeds) == 0 {
				continue
			}
			i, ok := byURL[m.Embeds[0].URL]
			if ok && res.Latencies[i] == 0 && !published[i].IsZero() {
				res.Latencies[i] = m.Created.Sub(published[i])
				seen++
			}
		}
	}
	next := time.Now()
	for i := 0; i < n; {
		select {
		case err := <-p.exited:
			return res, fmt.Errorf("the daemon exited: %v\n%s", err, p.tail())
		default:
		}
		if now := time.Now(); !now.Before(next) {
			items[i+1].Date = now
			published[i] = now
			p := site.Publish(items[i+1])
			byURL[site.URL()+site.LegacyPath(p[strings.LastIndexByte(p, '/')+1:])] = i
			i++
			next = now.Add(2*time.Second + time.Duration(rng.Int64N(int64(4*time.Second))))
		}
		time.Sleep(20 * time.Millisecond)
		collect()
	}
	for deadline := time.Now().Add(60 * time.Second); seen < n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return res, fmt.Errorf("%d of %d releases never reached Discord:\n%s", n-seen, n, p.tail())
		}
		collect()
	}
	res.P50, res.P99, res.Max = percentile(res.Latencies, 0.50), percentile(res.Latencies, 0.99), percentile(res.Latencies, 1)
	return res, nil
}

// percentile is the nearest-rank percentile p of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	if len(s) == 0 {
		return 0
	}
	k := int(p*float64(len(s))+0.999999) - 1
	return s[min(max(k, 0), len(s)-1)]
}
