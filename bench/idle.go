package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// countingStore is the SQLite store, counting the writes a check makes.
type countingStore struct {
	*state.SQLite
	writes atomic.Int64
	health atomic.Int64 // RecordCheck
}

func (c *countingStore) Save(ctx context.Context, p state.Put, now time.Time) (int64, error) {
	c.writes.Add(1)
	return c.SQLite.Save(ctx, p, now)
}

func (c *countingStore) Touch(ctx context.Context, id int64, pageURL string, v release.Validators, lastMod, now time.Time) error {
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

func (c *countingStore) SaveValidators(ctx context.Context, url string, v release.Validators, now time.Time) error {
	c.writes.Add(1)
	return c.SQLite.SaveValidators(ctx, url, v, now)
}

func (c *countingStore) RecordCheck(ctx context.Context, name string, now time.Time, cause string) (state.SourceHealth, error) {
	c.health.Add(1)
	return c.SQLite.RecordCheck(ctx, name, now, cause)
}

// IdleResult is a run of checks that find nothing new.
type IdleResult struct {
	Checks         int
	Recent         int           // stored releases, published in the last days
	CPUPerCheck    time.Duration // CPU of this process per check
	WallPerCheck   time.Duration
	GETsPerCheck   float64 // requests the site received per check
	Status304      float64 // of them answered 304 (the feed and the item pages)
	Writes         int64   // store writes during the idle checks but the source's health (want 0)
	HealthWrites   int64   // the source's health record, written every 15 minutes when nothing else is
	AllocsPerCheck uint64
}

// idleConfig is one feed source, no targets (for openConfig, with the
// number of its recent releases).
func idleConfig(dbPath, feedURL string) string {
	return fmt.Sprintf("state: %s\nsources:\n%s", dbPath, rssSource("bench", feedURL, "@every 5m"))
}

// RunIdle measures checks of a source that changed nothing, site i of
// sites serving its feed and pages: each a conditional GET of the feed
// (answered 304) and one of every release page due for a re-check
// (answered 304).
//
// With step 0 the recent items are published at once, a first check stores
// them, a second remembers the feed's validators, and the checks run back
// to back on the real clock: the items stay minutes old, so every page is
// due on every check, the worst case of one GET per recent release.
//
// With a step, the checks run on a simulated clock, step apart: first a
// week in which the recent items are published one by one, evenly, then
// the measured checks, in which nothing is published; the re-check
// schedule by age (app.recheckEvery) decides which pages are read.
func RunIdle(ctx context.Context, sites *FakeSites, site int, dir string, recent, checks int, step time.Duration) (IdleResult, error) {
	res := IdleResult{Checks: checks, Recent: recent}
	items, err := Items(max(recent, 1))
	if err != nil {
		return res, err
	}
	cfg, sq, err := openConfig(ctx, idleConfig(filepath.Join(dir, fmt.Sprintf("idle-%d-%d.db", site, step)), sites.URLs[site]+RSSPath), recent)
	if err != nil {
		return res, err
	}
	defer sq.Close()
	store := &countingStore{SQLite: sq}
	var mu sync.Mutex
	sim := time.Now().UTC()
	clock, advance := time.Now, func() {}
	if step > 0 {
		clock = func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return sim
		}
		advance = func() {
			mu.Lock()
			sim = sim.Add(step)
			mu.Unlock()
		}
	}
	a, err := newApp(cfg, app.Options{Store: store, Now: clock})
	if err != nil {
		return res, err
	}
	src := scraper.NewSource(app.SourceConfig(cfg.Sources[0]), app.NewFetcher(cfg))
	check := func() error {
		_, err := a.Check(ctx, src)
		advance()
		return err
	}
	if step == 0 {
		for _, it := range items[:recent] {
			it.Date = clock()
			if _, err := sites.Publish(site, it); err != nil {
				return res, err
			}
		}
		if recent == 0 { // a feed is never empty: one old item, not re-checked
			items[0].Date = clock().Add(-30 * 24 * time.Hour)
			if _, err := sites.Publish(site, items[0]); err != nil {
				return res, err
			}
		}
		for range 2 {
			if err := check(); err != nil {
				return res, err
			}
		}
	} else {
		week := 7 * 24 * time.Hour
		every := week / time.Duration(recent)
		for _, it := range items {
			it.Date = clock()
			if _, err := sites.Publish(site, it); err != nil {
				return res, err
			}
			for until := clock().Add(every); clock().Before(until); {
				if err := check(); err != nil {
					return res, err
				}
			}
		}
	}
	st0, err := sites.Stats(site)
	if err != nil {
		return res, err
	}
	store.writes.Store(0)
	store.health.Store(0)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0, wall0 := CPUTime(), time.Now()
	for range checks {
		cr, err := a.Check(ctx, src)
		if err != nil {
			return res, err
		}
		advance()
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
	res.Writes, res.HealthWrites = store.writes.Load(), store.health.Load()
	res.AllocsPerCheck = (m1.Mallocs - m0.Mallocs) / uint64(checks)
	return res, nil
}
