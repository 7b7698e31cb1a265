package bench

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/natowatch/natowatch/internal/fakediscord"
)

// FanoutResult is one release delivered to many channels.
type FanoutResult struct {
	Targets   int
	Delivered int           // messages the fake Discord created
	Span      time.Duration // first to last message, as the fake saw them
	Rate      float64       // messages per second over the span
	Requests  int           // requests the fake received
	Status429 int
	Rejected  int       // requests the fake refused as invalid
	RSSMin    int64     // natowatch's resident set, sampled every 100 ms while it delivers
	RSSMax    int64     //
	PeakRSS   int64     // its peak (VmHWM, last read before it exited)
	Samples   []float64 // the samples, MiB
}

// RunFanout delivers one release to n channel targets (the configuration's
// targets) with `natowatch once` (the binary natowatch, its default pacing)
// against the fake Discord with Discord's limits (50 requests per second
// globally, 5 per 2 s per channel), sampling the process's resident memory
// every 100 ms.
func RunFanout(natowatch, dir string, n int) (FanoutResult, error) {
	res := FanoutResult{Targets: n}
	srv, site, err := startFakes(fakediscord.WithGlobalLimit(50, time.Second), fakediscord.WithRouteLimit(5, 2*time.Second))
	if err != nil {
		return res, err
	}
	defer srv.Close()
	defer site.Close()
	items, err := Items(2)
	if err != nil {
		return res, err
	}
	var b strings.Builder
	b.WriteString(fakesConfig(filepath.Join(dir, "fanout.db"), srv, site))
	b.WriteString("log:\n  level: warn\ntargets:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - channel: \"%d\"\n", 300000000000000000+i)
	}
	cfg, err := writeConfig(dir, "fanout", b.String())
	if err != nil {
		return res, err
	}
	// A first run records what the site lists; the second finds one new
	// release and delivers it to every target.
	items[0].Date = time.Now().Add(-time.Hour)
	site.Publish(items[0])
	if _, err := runOnce(exec.Command(natowatch, "--config", cfg, "once")); err != nil {
		return res, err
	}
	items[1].Date = time.Now()
	site.Publish(items[1])
	p, err := startNatowatch(natowatch, cfg, "once")
	if err != nil {
		return res, err
	}
	pid := strconv.Itoa(p.cmd.Process.Pid)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var rss []int64
wait:
	for {
		select {
		case err := <-p.exited:
			if err != nil {
				return res, fmt.Errorf("natowatch once: %v\n%s", err, p.tail())
			}
			break wait
		case <-t.C:
			if hwm := procStatusKB(pid, "VmHWM:"); hwm > 0 {
				res.PeakRSS = hwm * 1024 // the last reading before it exits
			}
			if v := procRSS(pid); v > 0 && srv.MessageCount() > 0 {
				rss = append(rss, v) // while delivering
			}
		}
	}
	for _, v := range rss {
		res.Samples = append(res.Samples, float64(v)/(1<<20))
		if res.RSSMin == 0 || v < res.RSSMin {
			res.RSSMin = v
		}
		res.RSSMax = max(res.RSSMax, v)
	}
	msgs := srv.Messages()
	res.Delivered = len(msgs)
	if len(msgs) > 1 {
		first, last := msgs[0].Created, msgs[0].Created
		for _, m := range msgs {
			if m.Created.Before(first) {
				first = m.Created
			}
			if m.Created.After(last) {
				last = m.Created
			}
		}
		res.Span = last.Sub(first)
		res.Rate = float64(len(msgs)-1) / res.Span.Seconds()
	}
	res.Requests, res.Status429, res.Rejected = srv.Requests(), srv.Count429(), len(srv.Rejections())
	return res, nil
}
