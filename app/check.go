package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// checker reads sources: new items in their listings, and recent releases'
// pages again (NATO corrects releases without touching its listings).
type checker struct {
	cfg       *config.Config
	log       *slog.Logger
	store     checkStore
	now       func() time.Time
	metrics   *metrics
	audiences *audiences
	postLast  int    // first_run.post_latest in effect
	kick      func() // new alerts are queued: deliver now
	notify    Notifier
	ops       *notifier.Target // where source failures are reported, if anywhere

	mu       sync.Mutex
	lastOK   map[string]time.Time           // last successful check per source, this process
	lookedAt map[string]map[int64]time.Time // when this process last read each recent page, per source
	budgets  map[string]time.Duration       // re-check budget per source (daemon only)
	recent   map[string]recentCache         // recent pages per source, between checks
}

// checkStore is what checks need of the store.
type checkStore interface {
	audienceStore
	Health(ctx context.Context, name string) (state.SourceHealth, error)
	RecordCheck(ctx context.Context, name string, now time.Time, cause string) (state.SourceHealth, error)
	Lookup(ctx context.Context, keys []string) (*state.Stored, error)
	Get(ctx context.Context, id int64) (*state.Stored, error)
	Recent(ctx context.Context, source string, since time.Time) ([]state.Page, error)
	Save(ctx context.Context, p state.Put, now time.Time) (int64, error)
	Touch(ctx context.Context, id int64, pageURL string, v release.Validators, lastMod, now time.Time) error
	MarkSuspect(ctx context.Context, id int64, fingerprint string) error
	Validators(ctx context.Context, url string) (release.Validators, error)
	SaveValidators(ctx context.Context, url string, v release.Validators, now time.Time) error
	NoteMissing(ctx context.Context, url string, now time.Time) (first time.Time, count int, err error)
	ForgetMissing(ctx context.Context, url string) error
	Targets(ctx context.Context, releaseID int64) ([]release.Target, error)
}

// CheckResult counts what one check of a source did. Missing counts the
// new items whose page failed and that wait for a retry (retry.go).
type CheckResult struct {
	Listed, New, Updated, Unchanged, NotModified, Recorded, Suspect, Missing int
	Deferred                                                                 int // due re-checks left for the next check (budget spent)
	Errors                                                                   []error
}

// sourceCheck is one check of one source under way: what its steps share.
type sourceCheck struct {
	*checker
	log     *slog.Logger
	src     Source
	aud     lazyAudience
	first   bool      // the source's first check: record, do not post
	catchUp bool      // natowatch was down: catch_up.max_count applies
	oldest  time.Time // items published before are recorded, not posted
	res     CheckResult

	read     []int64 // releases whose page this check has read
	touched  int     // releases whose sitemap lastmod was recorded
	newTried int     // new items' pages fetched
	newOK    int     // … and read
	broken   []error // why new pages failed, 404s aside
}

// check reads one source once. New and changed releases are stored with
// their alerts queued. Nothing is recorded for an item that failed, so the
// next check tries it again.
func (c *checker) check(ctx context.Context, src Source) (res CheckResult, err error) {
	sc := &sourceCheck{checker: c, log: c.log.With("source", src.Name()), src: src, aud: lazyAudience{from: c.audiences}}
	var health state.SourceHealth
	start := time.Now()
	defer func() {
		res = sc.res
		if err != nil && ctx.Err() != nil {
			// Cut short by a stop (SIGTERM, Ctrl-C): not a failure of the
			// source, so no failing mark, no ops notice.
			sc.log.Info("check stopped before it finished", "new", res.New, "recorded_only", res.Recorded)
			err = fmt.Errorf("source %s: check stopped: %w", src.Name(), context.Cause(ctx))
			return
		}
		if state.Broken(err) {
			// The store failed, not the source: marking the source failing
			// would blame it (and write to a broken store).
			sc.log.Error("the state store failed during a check", "err", err)
			return
		}
		c.metrics.observeCheck(src.Name(), res, err, time.Since(start))
		cause := ""
		if err != nil {
			cause = err.Error()
		}
		c.recordHealth(ctx, sc.log, src.Name(), health, cause)
	}()
	health, err = c.store.Health(ctx, src.Name())
	if err != nil {
		return res, err
	}
	sc.first = health.FirstCheck.IsZero()
	sc.catchUp = c.downSince(src.Name(), health)
	sc.oldest = c.now().Add(-c.cfg.CatchUp.MaxAge.D())
	return res, sc.run(ctx, health)
}

func (sc *sourceCheck) run(ctx context.Context, health state.SourceHealth) error {
	name, res := sc.src.Name(), &sc.res
	listing, err := sc.src.List(ctx, sc.store.Validators)
	if listing == nil {
		return fmt.Errorf("source %s: %w", name, err)
	}
	if err != nil && ctx.Err() == nil {
		// Part of the listing was read: handle that, report the rest.
		res.Errors = append(res.Errors, err)
		sc.log.Warn("listing partly read", "err", err)
	}
	res.Listed = len(listing.Candidates)
	sc.metrics.observeRoute(name, listing.Route)
	for _, w := range listing.Warnings {
		sc.log.Warn("listing", "route", listing.Route, "warning", w)
	}
	now := sc.now()
	recheck, fresh, err := sc.sort(ctx, listing.Candidates)
	if err != nil {
		return err
	}
	sc.handleFresh(ctx, fresh)
	if res.New > 0 {
		sc.kick() // new releases go out now, not after the re-checks
	}
	recent, err := sc.recentPages(ctx, name, now)
	if err != nil {
		return err
	}
	recheck = append(recheck, sc.dueRechecks(name, recent, health.LastSuccess, now)...)
	sc.recheckAll(ctx, recheck, now)
	if res.New+res.Updated+res.Unchanged+res.Recorded+res.Suspect+sc.touched > 0 {
		sc.forgetRecent(name) // what it stored or touched is read again next time
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(res.Errors) == 0 && res.Missing == 0 {
		// Only now is the listing's state safe to remember: every item in
		// it was handled. While an item waits for a retry, the listing is
		// read whole, so that the next check (of any process) sees it.
		for u, v := range listing.Fetched {
			if err := sc.store.SaveValidators(ctx, u, v, sc.now()); err != nil {
				return err
			}
		}
	}
	if err := sc.pagesFailing(health.LastError); err != nil {
		res.Errors = append(res.Errors, err)
	}
	sc.log.Info("checked", "route", listing.Route, "listed", res.Listed, "new", res.New, "updated", res.Updated, "unchanged", res.Unchanged,
		"not_modified", res.NotModified, "recorded_only", res.Recorded, "suspect", res.Suspect, "retrying", res.Missing, "errors", len(res.Errors))
	if len(res.Errors) > 0 {
		return fmt.Errorf("source %s: %w", name, errors.Join(res.Errors...))
	}
	return nil
}

// sort looks each listed item up: new ones are fresh; known ones whose
// sitemap lastmod moved are re-checked now.
func (sc *sourceCheck) sort(ctx context.Context, listed []scraper.Candidate) (recheck []state.Page, fresh []scraper.Candidate, err error) {
	for _, c := range listed {
		st, err := sc.store.Lookup(ctx, candidateKeys(sc.src.Name(), c))
		if err != nil {
			return nil, nil, err
		}
		switch {
		case st == nil:
			fresh = append(fresh, c)
		case st.Fingerprint != "" && c.LastMod.After(st.LastMod) && !st.LastMod.IsZero():
			// The sitemap says it changed: look now.
			v, err := sc.store.Validators(ctx, st.Release.URL)
			if err != nil {
				return nil, nil, err
			}
			recheck = append(recheck, state.Page{ID: st.ID, URL: st.Release.URL, Published: st.Release.Published,
				FirstSeen: st.FirstSeen, LastMod: c.LastMod, Validators: v})
		case st.Fingerprint != "" && st.LastMod.IsZero() && !c.LastMod.IsZero():
			// First lastmod seen for it: remember it, no need to look.
			if err := sc.store.Touch(ctx, st.ID, "", release.Validators{}, c.LastMod, sc.now()); err != nil {
				return nil, nil, err
			}
			sc.touched++
		}
	}
	return recheck, fresh, nil
}

// healthWriteEvery is how often a healthy source's last success is written
// when nothing else changed: an idle check writes nothing otherwise.
const healthWriteEvery = 15 * time.Minute

// downSince reports whether a source has gone unread for longer than
// catch_up.after (natowatch was down, or the source was failing): then what
// it published meanwhile is capped by catch_up.max_count.
func (c *checker) downSince(name string, h state.SourceHealth) bool {
	last := c.lastSuccess(name, h.LastSuccess)
	return !last.IsZero() && c.now().Sub(last) > c.cfg.CatchUp.After.D()
}

// lastSuccess is the later of a source's recorded last success and this
// process's (written only every healthWriteEvery).
func (c *checker) lastSuccess(name string, recorded time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.lastOK[name]; t.After(recorded) {
		return t
	}
	return recorded
}

// recordHealth stores a check's outcome and logs a source that starts or
// stops failing once, not on every check.
func (c *checker) recordHealth(ctx context.Context, log *slog.Logger, name string, seen state.SourceHealth, cause string) {
	if cause == "" {
		c.mu.Lock()
		c.lastOK[name] = c.now()
		c.mu.Unlock()
	}
	if cause == "" && seen.LastError == "" && !seen.FirstCheck.IsZero() && c.now().Sub(seen.LastSuccess) < healthWriteEvery {
		return
	}
	before, err := c.store.RecordCheck(context.WithoutCancel(ctx), name, c.now(), cause)
	if err != nil {
		log.Error("recording check", "err", err)
		return
	}
	switch {
	case cause != "" && before.FailingSince.IsZero():
		log.Error("source is failing", "err", cause)
		c.tellOps(ctx, log, fmt.Sprintf("⚠️ natowatch: source %s is failing: %s", name, firstLine(cause)))
	case cause != "":
		log.Debug("source still failing", "since", before.FailingSince, "err", cause)
	case !before.FailingSince.IsZero():
		log.Info("source recovered", "failed_since", before.FailingSince, "failed_checks", before.ConsecutiveKO)
		c.tellOps(ctx, log, fmt.Sprintf("✅ natowatch: source %s recovered after %d failed checks since %s",
			name, before.ConsecutiveKO, before.FailingSince.Format(time.RFC3339)))
	}
}

// tellOps posts an operator notice, best effort.
func (c *checker) tellOps(ctx context.Context, log *slog.Logger, text string) {
	if c.ops == nil {
		return
	}
	if err := c.notify.Notice(context.WithoutCancel(ctx), *c.ops, text); err != nil {
		log.Warn("could not tell the ops channel", "err", err)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
