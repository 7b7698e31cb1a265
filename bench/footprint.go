package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// FootprintSpec describes the simulated installation.
type FootprintSpec struct {
	DB            string
	Sites         SitesSpec
	Sources       int           // feeds, one per fake site (20)
	Subscriptions int           // channels subscribed by slash command (10,000), in guilds of 10
	Stored        int           // releases already stored (100,000), spread over the past
	Recent        int           // per source: releases of the last week, on the site (re-checked every check)
	NewPerDay     int           // per source: releases published during the day
	Day           time.Duration // simulated time (24h)
	Interval      time.Duration // each source's schedule (5 min, the default)
	Start         time.Time     // the simulated day's start
}

// FootprintResult is the state of a process after the simulated day.
type FootprintResult struct {
	Checks, New, Delivered int
	RSS                    int64 // resident set after the day (VmRSS)
	RSSAfterFree           int64 // after debug.FreeOSMemory: what the Go heap holds on to aside
	HeapInuse, HeapSys     uint64
	PeakRSS                int64
	CPU                    time.Duration // of the simulated day
	Wall                   time.Duration
	DBBytes                int64   // state file (with its WAL) after the day
	DBSizes                []int64 // after each 10,000 stored releases (population)
	Errors                 int
}

// guildTerms are what server watches look for: a few that NATO releases
// say, many that they never do.
var guildTerms = func() []string {
	real := []string{"Ukraine", "Baltic Sentry", "North Korea", "cyber", "Kosovo"}
	out := append([]string(nil), real...)
	rng := rand.New(rand.NewPCG(3, 3))
	for len(out) < 200 {
		var b strings.Builder
		for k := 6 + rng.IntN(5); k > 0; k-- {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		out = append(out, b.String()+"x")
	}
	return out
}()

// openFootprint parses the installation's configuration, a feed source per
// fake site, and opens its state.
func openFootprint(ctx context.Context, sp FootprintSpec) (*config.Config, *state.SQLite, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "state: %s\nsources:\n", sp.DB)
	for i := range sp.Sources {
		b.WriteString(rssSource(fmt.Sprintf("src%02d", i), sp.Sites.URLs[i]+RSSPath, "@every "+sp.Interval.String()))
	}
	return openConfig(ctx, b.String(), sp.Recent)
}

// PopulateFootprint writes the stored history and the subscriptions into
// a new state file, and returns its size after each 10,000 releases.
func PopulateFootprint(ctx context.Context, sp FootprintSpec) ([]int64, error) {
	cfg, store, err := openFootprint(ctx, sp)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	pool, err := paragraphPool()
	if err != nil {
		return nil, err
	}
	// The history: releases of the past two years and more, before the
	// week that is re-checked.
	var sizes []int64
	oldest := sp.Start.Add(-8 * 24 * time.Hour)
	for i := range sp.Stored {
		it := item(pool, i)
		published := oldest.Add(-time.Duration(i) * 10 * time.Minute)
		src := fmt.Sprintf("src%02d", i%sp.Sources)
		r := release.Release{Source: src, URL: fmt.Sprintf("https://www.nato.int/cps/en/natohq/news_%d.htm", 100000+i), Title: it.Title,
			Type: release.TypeNews, Published: published, Body: it.Paragraphs}
		put := state.Put{Release: r, Keys: []string{"url:" + strings.TrimPrefix(r.URL, "https://"), "td:" + strings.ToLower(it.Title) + "|" + published.Format("2006-01-02")},
			Fingerprint: fmt.Sprintf("%064x", i), Version: 1, PageURL: r.URL, Validators: release.Validators{ETag: fmt.Sprintf(`"%x"`, i)}}
		if _, err := store.Save(ctx, put, published); err != nil {
			return nil, err
		}
		if (i+1)%10_000 == 0 {
			sizes = append(sizes, dbSize(sp.DB))
		}
	}
	// The week before the day: on the sites, and fetched by a first check
	// of each source (before anyone subscribed: the import is not
	// delivered), so that every check of the day re-checks them.
	clock := &simClock{now: sp.Start.Add(-sp.Interval)}
	a, err := newApp(cfg, app.Options{Store: store, Now: clock.Now})
	if err != nil {
		return nil, err
	}
	sites := AttachFakeSites(sp.Sites)
	next := sp.Stored
	for s, src := range appSources(cfg) {
		for k := range sp.Recent {
			it := item(pool, next)
			next++
			it.Date = sp.Start.Add(-time.Duration(k+1) * 7 * 24 * time.Hour / time.Duration(sp.Recent+1))
			if _, err := sites.Publish(s, it); err != nil {
				return nil, err
			}
		}
		if cr, err := a.Check(ctx, src); err != nil || cr.New != sp.Recent {
			return nil, fmt.Errorf("first check of %s: %+v %v", src.Name(), cr, err)
		}
	}
	// Guilds of ten channels, each guild with one watch; every channel
	// subscribed to what its server's watch matches.
	for g := 0; g < sp.Subscriptions/10; g++ {
		guild := fmt.Sprint(500000000000000000 + g)
		rng := rand.New(rand.NewPCG(uint64(g), 9))
		w := state.Watch{GuildID: guild, Name: "w", Terms: []string{guildTerms[rng.IntN(len(guildTerms))], guildTerms[rng.IntN(len(guildTerms))], guildTerms[rng.IntN(len(guildTerms))]}}
		if err := store.PutWatch(ctx, w, sp.Start); err != nil {
			return nil, err
		}
		for c := range 10 {
			sub := state.Subscription{GuildID: guild, ChannelID: fmt.Sprint(600000000000000000 + g*10 + c), Watch: "w"}
			if err := store.Subscribe(ctx, sub, sp.Start); err != nil {
				return nil, err
			}
		}
	}
	return sizes, nil
}

// dbSize is the state file's size with its write-ahead log.
func dbSize(path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// simClock is the simulated time.
type simClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// SimulateDay runs a day of natowatch's work on a populated state, fast:
// every source checked on its schedule (as the daemon's cron would, one
// after the other), the outbox delivered after each round (to a notifier
// that accepts everything), the clock simulated. New releases appear on
// the sites during the day. It returns the process's memory afterwards.
func SimulateDay(ctx context.Context, sp FootprintSpec) (FootprintResult, error) {
	var res FootprintResult
	sites := AttachFakeSites(sp.Sites)
	cfg, store, err := openFootprint(ctx, sp)
	if err != nil {
		return res, err
	}
	defer store.Close()
	clock := &simClock{now: sp.Start}
	a, err := newApp(cfg, app.Options{Store: store, Now: clock.Now})
	if err != nil {
		return res, err
	}
	pool, err := paragraphPool()
	if err != nil {
		return res, err
	}
	next := sp.Stored + sp.Sources*sp.Recent // the items PopulateFootprint used
	// The day's releases, at random moments.
	type pub struct {
		at   time.Time
		site int
	}
	var pubs []pub
	rng := rand.New(rand.NewPCG(1, 1))
	for s := range sp.Sources {
		for range sp.NewPerDay {
			pubs = append(pubs, pub{sp.Start.Add(time.Duration(rng.Int64N(int64(sp.Day)))), s})
		}
	}
	rounds := int(sp.Day / sp.Interval)
	cpu0, wall0 := CPUTime(), time.Now()
	for round := 1; round <= rounds; round++ {
		now := sp.Start.Add(time.Duration(round) * sp.Interval)
		clock.Set(now)
		for _, p := range pubs {
			if p.at.Before(now) && !p.at.Before(now.Add(-sp.Interval)) {
				it := item(pool, next)
				next++
				it.Date = p.at
				if _, err := sites.Publish(p.site, it); err != nil {
					return res, err
				}
			}
		}
		for _, src := range appSources(cfg) {
			cr, err := a.Check(ctx, src)
			res.Checks++
			if err != nil {
				res.Errors++
			}
			res.New += cr.New
		}
		for {
			d, err := a.Deliver(ctx)
			if err != nil {
				return res, err
			}
			res.Delivered += d.Sent
			if d.Claimed == 0 || d.Sent == 0 {
				break
			}
		}
	}
	res.CPU, res.Wall = CPUTime()-cpu0, time.Since(wall0)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.RSS, res.HeapInuse, res.HeapSys, res.PeakRSS = RSS(), ms.HeapInuse, ms.HeapSys, PeakRSS()
	debug.FreeOSMemory()
	res.RSSAfterFree = RSS()
	res.DBBytes = dbSize(sp.DB)
	return res, nil
}

// footprintSources caches the scraper sources of a config: the daemon
// builds them once.
var footprintSources = map[*config.Config][]app.Source{}

func appSources(cfg *config.Config) []app.Source {
	if s, ok := footprintSources[cfg]; ok {
		return s
	}
	f := app.NewFetcher(cfg)
	var out []app.Source
	for _, s := range cfg.Sources {
		out = append(out, scraper.NewSource(app.SourceConfig(s), f))
	}
	footprintSources[cfg] = out
	return out
}

// RunFootprint populates a state file and simulates a day on it, each in
// a child process (self footprint-populate|footprint-day SPEC), so that
// the day's process holds only what the day needs.
func RunFootprint(self string, sp FootprintSpec) (FootprintResult, error) {
	b, err := json.Marshal(sp)
	if err != nil {
		return FootprintResult{}, err
	}
	var sizes []int64
	if err := runChild(self, "footprint-populate", string(b), &sizes); err != nil {
		return FootprintResult{}, err
	}
	var res FootprintResult
	if err := runChild(self, "footprint-day", string(b), &res); err != nil {
		return res, err
	}
	res.DBSizes = sizes
	return res, nil
}

func runChild(self, mode, spec string, out any) error {
	cmd := exec.Command(self, mode, spec)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %w", mode, err)
	}
	return json.Unmarshal(b, out)
}

// FootprintChild is the child's side of RunFootprint.
func FootprintChild(ctx context.Context, mode, spec string) error {
	var sp FootprintSpec
	if err := json.Unmarshal([]byte(spec), &sp); err != nil {
		return err
	}
	var out any
	var err error
	switch mode {
	case "footprint-populate":
		out, err = PopulateFootprint(ctx, sp)
	case "footprint-day":
		runtime.GOMAXPROCS(1)
		if p := os.Getenv("NATOWATCH_BENCH_CPUPROFILE"); p != "" {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		out, err = SimulateDay(ctx, sp)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// FootprintDefault is the installation: 20 sources, 10,000
// subscriptions, 100,000 stored releases, a day at the default schedule.
func FootprintDefault(dir string, sites SitesSpec, start time.Time) FootprintSpec {
	return FootprintSpec{DB: filepath.Join(dir, "footprint.db"), Sites: sites, Sources: 20, Subscriptions: 10_000, Stored: 100_000,
		Recent: 35, NewPerDay: 5, Day: 24 * time.Hour, Interval: 5 * time.Minute, Start: start}
}
