package bench

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// countingStore is the SQLite store, counting the writes a check makes.
type countingStore struct {
	*state.SQLite
	writes atomic.Int64
}

func (c *countingStore) Save(ctx context.Context, p state.Put, now time.Time) (int64, error) {
	c.writes.Add(1)
	return c.SQLite.Save(ctx, p, now)
}

func (c *countingStore) Touch(ctx context.Context, id int64, pageURL string, v state.Validators, lastMod, now time.Time) error {
	c.writes.Add(1)
	return c.SQLite.Touch(ctx, id, pageURL, v, lastMod, now)
}

func (c *countingStore) MarkSuspect(ctx context.Context, id int64, fingerprint string) error {
	c.writes.Add(1)
	return c.SQLite.MarkSuspect(ctx, id, fingerprint)
}

func (c *countingStore) NoteMissing(ctx context.Context, url string, now time.Time) (time.Time, int, error) {
	c.writes.Add(1)
	return c.SQLite.NoteMissing(ctx, url, now)
}

func (c *countingStore) ForgetMissing(ctx context.Context, url string) error {
	c.writes.Add(1)
	return c.SQLite.ForgetMissing(ctx, url)
}

func (c *countingStore) SaveValidators(ctx context.Context, url string, v state.Validators, now time.Time) error {
	c.writes.Add(1)
	return c.SQLite.SaveValidators(ctx, url, v, now)
}

func (c *countingStore) RecordCheck(ctx context.Context, name string, now time.Time, cause string) (state.SourceHealth, error) {
	c.writes.Add(1)
	return c.SQLite.RecordCheck(ctx, name, now, cause)
}

// IdleResult is a run of checks that find nothing new.
type IdleResult struct {
	Checks         int
	Recent         int           // stored releases each check re-checks
	CPUPerCheck    time.Duration // CPU of this process per check
	WallPerCheck   time.Duration
	GETsPerCheck   float64 // requests the site received per check
	Status304      float64 // of them answered 304 (the feed and the item pages)
	Writes         int64   // store writes during the idle checks (want 0)
	AllocsPerCheck uint64
}

// idleConfig is one feed source with its recent releases, no targets.
func idleConfig(dbPath, feedURL string, recent int) (*config.Config, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "state: %s\nsources:\n  - name: bench\n    type: rss\n    url: %s\n    schedule: \"@every 5m\"\n", dbPath, feedURL)
	fmt.Fprintf(&b, "first_run:\n  post_latest: %d\nhttp:\n  per_host_rate: 1000000\nlog:\n  level: error\n", recent)
	return config.Parse([]byte(b.String()), func(string) string { return "" })
}

// RunIdle measures checks of a source that changed nothing: site i of
// sites gets recent items (published in the last days), a first check
// stores them, a second remembers the feed's validators, and then checks
// checks run, each a conditional GET of the feed and one of every recent
// release's page, all answered 304.
func RunIdle(ctx context.Context, sites *FakeSites, site int, dir string, recent, checks int) (IdleResult, error) {
	res := IdleResult{Checks: checks, Recent: recent}
	items, err := Items(recent)
	if err != nil {
		return res, err
	}
	now := time.Now().UTC()
	for k, it := range items {
		it.Date = now.Add(-time.Duration(k+1) * 3 * time.Hour) // within the week re-checked
		if _, err := sites.Publish(site, it); err != nil {
			return res, err
		}
	}
	cfg, err := idleConfig(filepath.Join(dir, fmt.Sprintf("idle-%d.db", site)), sites.URLs[site]+RSSPath, recent)
	if err != nil {
		return res, err
	}
	sq, err := state.OpenSQLite(ctx, cfg.State)
	if err != nil {
		return res, err
	}
	defer sq.Close()
	store := &countingStore{SQLite: sq}
	a, err := app.New(cfg, slog.New(slog.DiscardHandler), app.Options{Store: store, Notifier: nopNotifier{}})
	if err != nil {
		return res, err
	}
	src := scraper.NewSource(app.SourceConfig(cfg.Sources[0]), app.NewFetcher(cfg))
	for k := 0; k < 2; k++ {
		if _, err := a.Check(ctx, src); err != nil {
			return res, err
		}
	}
	st0, err := sites.Stats(site)
	if err != nil {
		return res, err
	}
	store.writes.Store(0)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0, wall0 := CPUTime(), time.Now()
	for range checks {
		cr, err := a.Check(ctx, src)
		if err != nil {
			return res, err
		}
		if cr.New+cr.Updated+cr.Recorded > 0 {
			return res, fmt.Errorf("bench: an idle check found something: %+v", cr)
		}
	}
	cpu, wall := CPUTime()-cpu0, time.Since(wall0)
	runtime.ReadMemStats(&m1)
	st1, err := sites.Stats(site)
	if err != nil {
		return res, err
	}
	res.CPUPerCheck, res.WallPerCheck = cpu/time.Duration(checks), wall/time.Duration(checks)
	res.GETsPerCheck = float64(st1.Requests-st0.Requests) / float64(checks)
	res.Status304 = float64(st1.NotModified-st0.NotModified) / float64(checks)
	res.Writes = store.writes.Load()
	res.AllocsPerCheck = (m1.Mallocs - m0.Mallocs) / uint64(checks)
	return res, nil
}
