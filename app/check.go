package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// CheckResult counts what one check of a source did. Missing counts the
// new items whose page failed and that wait for a retry (retry.go).
type CheckResult struct {
	Listed, New, Updated, Unchanged, NotModified, Recorded, Suspect, Missing int
	Deferred                                                                 int     // due re-checks left for the next check (budget spent)
	read                                                                     []int64 // releases whose page this check has read
	touched                                                                  int     // releases whose sitemap lastmod was recorded
	newTried, newOK                                                          int     // new items' pages fetched, and read
	broken                                                                   []error // why new pages failed, 404s aside
	Errors                                                                   []error
}

// Check reads one source once: new items in its listing, and the pages of
// recent releases again (NATO corrects releases without touching its
// listings). New and changed releases are stored with their alerts queued.
// Nothing is recorded for an item that failed, so the next check tries it
// again.
func (a *App) Check(ctx context.Context, src Source) (res CheckResult, err error) {
	log := a.log.With("source", src.Name())
	var health state.SourceHealth
	start := time.Now()
	defer func() {
		if err != nil && ctx.Err() != nil {
			// Cut short by a stop (SIGTERM, Ctrl-C): not a failure of the
			// source, so no failing mark, no ops notice.
			log.Info("check stopped before it finished", "new", res.New, "recorded_only", res.Recorded)
			err = fmt.Errorf("source %s: check stopped: %w", src.Name(), context.Cause(ctx))
			return
		}
		if state.Broken(err) {
			// The store failed, not the source: marking the source failing
			// would blame it (and write to a broken store).
			log.Error("the state store failed during a check", "err", err)
			return
		}
		a.metrics.observeCheck(src.Name(), res, err, time.Since(start))
		cause := ""
		if err != nil {
			cause = err.Error()
		}
		a.recordHealth(ctx, log, src.Name(), health, cause)
	}()
	health, err = a.store.Health(ctx, src.Name())
	if err != nil {
		return res, err
	}
	first := health.FirstCheck.IsZero()
	listing, err := src.List(ctx, a.validators)
	if listing == nil {
		return res, fmt.Errorf("source %s: %w", src.Name(), err)
	}
	if err != nil && ctx.Err() == nil {
		// Part of the listing was read: handle that, report the rest.
		res.Errors = append(res.Errors, err)
		log.Warn("listing partly read", "err", err)
	}
	res.Listed = len(listing.Candidates)
	a.metrics.observeRoute(src.Name(), listing.Route)
	for _, w := range listing.Warnings {
		log.Warn("listing", "route", listing.Route, "warning", w)
	}
	aud := &lazyAudience{a: a} // read when the first alert is built
	now := a.now()
	var recheck []state.Page
	var fresh []scraper.Candidate
	for _, c := range listing.Candidates {
		st, err := a.store.Lookup(ctx, candidateKeys(src.Name(), c))
		if err != nil {
			return res, err
		}
		switch {
		case st == nil:
			fresh = append(fresh, c)
		case st.Fingerprint != "" && c.LastMod.After(st.LastMod) && !st.LastMod.IsZero():
			// The sitemap says it changed: look now.
			v, err := a.store.Validators(ctx, st.Release.URL)
			if err != nil {
				return res, err
			}
			recheck = append(recheck, state.Page{ID: st.ID, URL: st.Release.URL, Published: st.Release.Published,
				FirstSeen: st.FirstSeen, LastMod: c.LastMod, Validators: v})
		case st.Fingerprint != "" && st.LastMod.IsZero() && !c.LastMod.IsZero():
			// First lastmod seen for it: remember it, no need to look.
			if err := a.store.Touch(ctx, st.ID, "", release.Validators{}, c.LastMod, a.now()); err != nil {
				return res, err
			}
			res.touched++
		}
	}
	a.handleFresh(ctx, log, src, aud, fresh, first, a.downSince(src.Name(), health), &res)
	if res.New > 0 {
		a.Kick() // new releases go out now, not after the re-checks
	}
	recent, err := a.recentPages(ctx, src.Name(), now)
	if err != nil {
		return res, err
	}
	recheck = append(recheck, a.dueRechecks(src.Name(), recent, health.LastSuccess, now)...)
	handled := map[int64]bool{}
	for _, id := range res.read {
		handled[id] = true
		a.looked(src.Name(), id, now)
	}
	for _, p := range recheck {
		if ctx.Err() != nil {
			break // stopping: the rest go first next time
		}
		if handled[p.ID] {
			continue
		}
		if budget := a.recheckBudget(src.Name()); budget > 0 && a.now().Sub(now) > budget {
			res.Deferred = len(recheck) - len(handled)
			log.Debug("re-checks deferred to the next check", "deferred", res.Deferred, "budget", budget)
			break
		}
		handled[p.ID] = true
		err := a.recheck(ctx, log, src, aud, p, &res)
		if ctx.Err() != nil {
			break // cut short by a stop: not the page's failure
		}
		var pe *pageError
		if errors.As(err, &pe) {
			// The page's problem (a deleted release, a broken page), not
			// the source's: tried again at its next turn, like any page.
			log.Warn("re-check failed; trying again at its next turn", "url", p.URL, "err", err)
		} else if err != nil {
			res.Errors = append(res.Errors, err)
			log.Warn("re-check failed", "url", p.URL, "err", err)
			continue
		}
		a.looked(src.Name(), p.ID, now)
	}
	if res.New+res.Updated+res.Unchanged+res.Recorded+res.Suspect+res.touched > 0 {
		a.forgetRecent(src.Name()) // what it stored or touched is read again next time
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if len(res.Errors) == 0 && res.Missing == 0 {
		// Only now is the listing's state safe to remember: every item in
		// it was handled. While an item waits for a retry, the listing is
		// read whole, so that the next check (of any process) sees it.
		for u, v := range listing.Fetched {
			if err := a.store.SaveValidators(ctx, u, v, a.now()); err != nil {
				return res, err
			}
		}
	}
	if err := pagesFailing(health.LastError, &res); err != nil {
		res.Errors = append(res.Errors, err)
	}
	log.Info("checked", "route", listing.Route, "listed", res.Listed, "new", res.New, "updated", res.Updated, "unchanged", res.Unchanged,
		"not_modified", res.NotModified, "recorded_only", res.Recorded, "suspect", res.Suspect, "retrying", res.Missing, "errors", len(res.Errors))
	if len(res.Errors) > 0 {
		return res, fmt.Errorf("source %s: %w", src.Name(), errors.Join(res.Errors...))
	}
	return res, nil
}

func (a *App) validators(ctx context.Context, u string) (release.Validators, error) {
	v, err := a.store.Validators(ctx, u)
	return v, err
}

// recheck fetches a stored release's page conditionally and stores an
// update when its text changed. Only then is the stored release read.
func (a *App) recheck(ctx context.Context, log *slog.Logger, src Source, aud *lazyAudience, p state.Page, res *CheckResult) error {
	it, err := src.Fetch(ctx, scraper.Candidate{URL: p.URL, Published: p.Published}, p.Validators)
	if err != nil {
		return &pageError{err}
	}
	if it.NotModified {
		res.NotModified++
		return nil
	}
	st, err := a.store.Get(ctx, p.ID)
	if err != nil {
		return err
	}
	if st == nil {
		return fmt.Errorf("re-check of %s: release %d is gone from the store", p.URL, p.ID)
	}
	if p.LastMod.After(st.LastMod) {
		st.LastMod = p.LastMod
	}
	// What the page lacks, the stored release had from its listing.
	if it.Release.Title == "" {
		it.Release.Title = st.Release.Title
	}
	if it.Release.GUID == "" {
		it.Release.GUID = st.Release.GUID
	}
	return a.compare(ctx, log, aud, st, it, releaseKeys(it.Release, it.Aliases), res)
}

// recentTTL is how long a source's recent pages are kept in memory
// between checks at most: this process reads them again sooner when it
// stored or touched a release of the source, or became the replica that
// checks the sources.
const recentTTL = time.Hour

// recentCache is a source's recent pages as last read from the store.
type recentCache struct {
	pages []state.Page
	at    time.Time
}

// recentPages returns the source's pages published or first seen within
// the re-check window, from memory when this process read them lately and
// changed nothing of them since: an idle check does not ask the store.
func (a *App) recentPages(ctx context.Context, source string, now time.Time) ([]state.Page, error) {
	since := now.Add(-a.cfg.Recheck.D())
	a.mu.Lock()
	c, ok := a.recent[source]
	a.mu.Unlock()
	if !ok || now.Sub(c.at) >= recentTTL || now.Before(c.at) {
		pages, err := a.store.Recent(ctx, source, since)
		if err != nil {
			return nil, err
		}
		a.mu.Lock()
		a.recent[source] = recentCache{pages, now}
		a.mu.Unlock()
		return pages, nil
	}
	var out []state.Page
	for _, p := range c.pages {
		if !p.Published.Before(since) || !p.FirstSeen.Before(since) {
			out = append(out, p)
		}
	}
	return out, nil
}

// forgetRecent drops the source's pages kept in memory (all sources' when
// source is "").
func (a *App) forgetRecent(source string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if source == "" {
		clear(a.recent)
		return
	}
	delete(a.recent, source)
}

// recheckMax is the longest a recent release's page goes unread.
const recheckMax = 2 * time.Hour

// recheckEvery is how often a stored release's page is read again, by its
// age: on every check while it is under 12 minutes old (NATO corrects
// releases soon after publishing them), then every twelfth of its age, at
// most every recheckMax. A week of releases (about 100) then costs some 80
// conditional GETs an hour in all, however often the source is checked,
// instead of 100 on every check.
func recheckEvery(age time.Duration) time.Duration {
	if age < 12*time.Minute {
		return 0
	}
	return min(age/12, recheckMax)
}

// dueRechecks picks the recent pages to read again in a check at now,
// most overdue first. A page read by this process is due recheckEvery(age)
// after that; one it has not read yet is due when one of its times, every
// recheckEvery(age) from an offset of its own (spreading pages over the
// interval), fell after the source's last recorded success (prev; zero
// makes it due). It forgets the pages that are no longer recent.
func (a *App) dueRechecks(source string, recent []state.Page, prev, now time.Time) []state.Page {
	a.mu.Lock()
	defer a.mu.Unlock()
	seen := a.lookedAt[source]
	kept := make(map[int64]time.Time, len(recent))
	type duePage struct {
		p    state.Page
		late time.Duration
	}
	var due []duePage
	for _, p := range recent {
		born := p.FirstSeen
		if p.Published.After(born) {
			born = p.Published
		}
		every := recheckEvery(now.Sub(born))
		last, ok := seen[p.ID]
		if ok {
			kept[p.ID] = last
		}
		switch {
		case ok && now.Sub(last) >= every:
			due = append(due, duePage{p, now.Sub(last) - every})
		case !ok && slotBetween(p.ID, every, prev, now):
			due = append(due, duePage{p, recheckMax + now.Sub(prev)}) // never read by this process: first
		}
	}
	a.lookedAt[source] = kept
	sort.SliceStable(due, func(i, j int) bool { return due[i].late > due[j].late })
	out := make([]state.Page, len(due))
	for i, d := range due {
		out[i] = d.p
	}
	return out
}

// slotBetween reports whether one of the times k*every + offset(id) falls
// in (prev, now]; always when every is 0 or prev is not before now.
func slotBetween(id int64, every time.Duration, prev, now time.Time) bool {
	if every <= 0 || prev.IsZero() || !prev.Before(now) || now.Sub(prev) >= every {
		return true
	}
	e := int64(every)
	off := int64(uint64(id) * 0x9E3779B97F4A7C15 % uint64(e))
	return (now.UnixNano()-off)/e != (prev.UnixNano()-off)/e
}

// looked remembers that a page was read (or found unchanged) at t.
func (a *App) looked(source string, id int64, t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.lookedAt[source] == nil {
		a.lookedAt[source] = map[int64]time.Time{}
	}
	a.lookedAt[source][id] = t
}

// recheckBudget is how long a check of the source may spend on re-checks
// (counted from its start) before leaving the rest for the next check: half
// the time between its scheduled checks, so that re-reading old pages
// never holds up the next look for new ones. Zero (no limit) outside the
// daemon.
func (a *App) recheckBudget(source string) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.budgets[source]
}

// compare stores a fetched page of a known release: a touch when its text
// is the same, a new version with an update alert when it changed.
func (a *App) compare(ctx context.Context, log *slog.Logger, aud *lazyAudience, st *state.Stored, it *scraper.Item, keys []string, res *CheckResult) error {
	res.read = append(res.read, st.ID)
	r := it.Release
	r.URL = st.Release.URL // the identity stays
	if r.Published.IsZero() {
		r.Published = st.Release.Published
	}
	fp := fingerprint(r)
	if fp == st.Fingerprint {
		res.Unchanged++
		return a.store.Touch(ctx, st.ID, st.Release.URL, it.Page.Validators, st.LastMod, a.now())
	}
	if st.Fingerprint != "" && it.Truncated {
		// A page cut off on the way says nothing about an edit.
		res.Suspect++
		log.Warn("page arrived truncated; ignored until it arrives whole", "url", st.Release.URL)
		return nil
	}
	if st.Fingerprint != "" && fp != st.Suspect && shrank(&st.Release, r) {
		// A page that lost most of its text is more likely a broken page
		// or a new layout than an edit: believe it when it is seen again.
		// Its validators are not saved, so the next check fetches it whole.
		res.Suspect++
		log.Warn("page lost most of its text; waiting for a second look before posting an update",
			"url", st.Release.URL, "was", len(st.Release.Text()), "now", len(r.Text()))
		return a.store.MarkSuspect(ctx, st.ID, fp)
	}
	put := state.Put{ID: st.ID, Release: *r, Keys: keys, Fingerprint: fp, Version: st.Version + 1, LastMod: st.LastMod,
		PageURL: st.Release.URL, Validators: it.Page.Validators}
	if st.Fingerprint == "" {
		// Only seen in a listing before: this is its baseline, not news.
		put.Version = 1
		_, err := a.store.Save(ctx, put, a.now())
		res.Recorded++
		return err
	}
	changes := diff(&st.Release, r)
	put.Release.Changes = changes // kept for the feeds' "what changed"
	prev, err := a.store.Targets(ctx, st.ID)
	if err != nil {
		return err
	}
	au, err := aud.get(ctx)
	if err != nil {
		return err
	}
	al := a.buildAlert(r, release.KindUpdate, put.Version, changes, au.matcher)
	// A correction pings only for a watch it newly matches.
	before := map[string]bool{}
	for _, m := range au.matcher.Match(&st.Release) {
		before[m.Watch] = true
	}
	for i := range al.Matches {
		if before[al.Matches[i].Watch] {
			al.Matches[i].Role = ""
		}
	}
	put.Alert, put.Recipients = &al, a.recipientsFor(al, prev, au)
	if _, err := a.store.Save(ctx, put, a.now()); err != nil {
		return err
	}
	res.Updated++
	log.Info("release", "event", "updated", "url", r.URL, "title", r.Title, "version", put.Version,
		"added", len(changes.Added), "removed", len(changes.Removed), "alerts", len(put.Recipients))
	return nil
}

// healthWriteEvery is how often a healthy source's last success is written
// when nothing else changed: an idle check writes nothing otherwise.
const healthWriteEvery = 15 * time.Minute

// downSince reports whether a source has gone unread for longer than
// catch_up.after (natowatch was down, or the source was failing): then what
// it published meanwhile is capped by catch_up.max_count.
func (a *App) downSince(name string, h state.SourceHealth) bool {
	last := h.LastSuccess
	a.mu.Lock()
	if t := a.lastOK[name]; t.After(last) {
		last = t
	}
	a.mu.Unlock()
	return !last.IsZero() && a.now().Sub(last) > a.cfg.CatchUp.After.D()
}

// shrank reports whether an edit left less than 40% of the text.
func shrank(old, cur *release.Release) bool {
	return len(cur.Text())*5 < len(old.Text())*2
}

// recordHealth stores a check's outcome and logs a source that starts or
// stops failing once, not on every check.
func (a *App) recordHealth(ctx context.Context, log *slog.Logger, name string, seen state.SourceHealth, cause string) {
	if cause == "" {
		a.mu.Lock()
		a.lastOK[name] = a.now()
		a.mu.Unlock()
	}
	if cause == "" && seen.LastError == "" && !seen.FirstCheck.IsZero() && a.now().Sub(seen.LastSuccess) < healthWriteEvery {
		return
	}
	before, err := a.store.RecordCheck(context.WithoutCancel(ctx), name, a.now(), cause)
	if err != nil {
		log.Error("recording check", "err", err)
		return
	}
	switch {
	case cause != "" && before.FailingSince.IsZero():
		log.Error("source is failing", "err", cause)
		a.tellOps(ctx, log, fmt.Sprintf("⚠️ natowatch: source %s is failing: %s", name, firstLine(cause)))
	case cause != "":
		log.Debug("source still failing", "since", before.FailingSince, "err", cause)
	case !before.FailingSince.IsZero():
		log.Info("source recovered", "failed_since", before.FailingSince, "failed_checks", before.ConsecutiveKO)
		a.tellOps(ctx, log, fmt.Sprintf("✅ natowatch: source %s recovered after %d failed checks since %s",
			name, before.ConsecutiveKO, before.FailingSince.Format(time.RFC3339)))
	}
}

// tellOps posts an operator notice, best effort.
func (a *App) tellOps(ctx context.Context, log *slog.Logger, text string) {
	if a.ops == nil {
		return
	}
	if err := a.notify.Notice(context.WithoutCancel(ctx), *a.ops, text); err != nil {
		log.Warn("could not tell the ops channel", "err", err)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
