package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// recheckAll reads the due pages again, most overdue first, within the
// source's re-check budget; the pages this check read already are skipped.
func (sc *sourceCheck) recheckAll(ctx context.Context, due []state.Page, start time.Time) {
	name := sc.src.Name()
	handled := map[int64]bool{}
	for _, id := range sc.read {
		handled[id] = true
		sc.looked(name, id, start)
	}
	for _, p := range due {
		if ctx.Err() != nil {
			return // stopping: the rest go first next time
		}
		if handled[p.ID] {
			continue
		}
		if budget := sc.recheckBudget(name); budget > 0 && sc.now().Sub(start) > budget {
			sc.res.Deferred = len(due) - len(handled)
			sc.log.Debug("re-checks deferred to the next check", "deferred", sc.res.Deferred, "budget", budget)
			return
		}
		handled[p.ID] = true
		err := sc.recheck(ctx, p)
		if ctx.Err() != nil {
			return // cut short by a stop: not the page's failure
		}
		var pe *pageError
		if errors.As(err, &pe) {
			// The page's problem (a deleted release, a broken page), not
			// the source's: tried again at its next turn, like any page.
			sc.log.Warn("re-check failed; trying again at its next turn", "url", p.URL, "err", err)
		} else if err != nil {
			sc.res.Errors = append(sc.res.Errors, err)
			sc.log.Warn("re-check failed", "url", p.URL, "err", err)
			continue
		}
		sc.looked(name, p.ID, start)
	}
}

// recheck fetches a stored release's page conditionally and stores an
// update when its text changed. Only then is the stored release read.
func (sc *sourceCheck) recheck(ctx context.Context, p state.Page) error {
	it, err := sc.src.Fetch(ctx, scraper.Candidate{URL: p.URL, Published: p.Published}, p.Validators)
	if err != nil {
		return &pageError{err}
	}
	if it.NotModified() {
		sc.res.NotModified++
		return nil
	}
	st, err := sc.store.Get(ctx, p.ID)
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
	return sc.compare(ctx, st, it, releaseKeys(it.Release, it.Aliases))
}

// compare stores a fetched page of a known release: a touch when its text
// is the same, a new version with an update alert when it changed.
func (sc *sourceCheck) compare(ctx context.Context, st *state.Stored, it *scraper.Item, keys []string) error {
	sc.read = append(sc.read, st.ID)
	res := &sc.res
	r := it.Release
	r.URL = st.Release.URL // the identity stays
	if r.Published.IsZero() {
		r.Published = st.Release.Published
	}
	fp := fingerprint(r)
	if fp == st.Fingerprint {
		res.Unchanged++
		return sc.store.Touch(ctx, st.ID, st.Release.URL, it.Page.Validators, st.LastMod, sc.now())
	}
	if st.Fingerprint != "" && it.Truncated {
		// A page cut off on the way says nothing about an edit.
		res.Suspect++
		sc.log.Warn("page arrived truncated; ignored until it arrives whole", "url", st.Release.URL)
		return nil
	}
	if st.Fingerprint != "" && fp != st.Suspect && shrank(&st.Release, r) {
		// A page that lost most of its text is more likely a broken page
		// or a new layout than an edit: believe it when it is seen again.
		// Its validators are not saved, so the next check fetches it whole.
		res.Suspect++
		sc.log.Warn("page lost most of its text; waiting for a second look before posting an update",
			"url", st.Release.URL, "was", len(st.Release.Text()), "now", len(r.Text()))
		return sc.store.MarkSuspect(ctx, st.ID, fp)
	}
	put := state.Put{ID: st.ID, Release: *r, Keys: keys, Fingerprint: fp, Version: st.Version + 1, LastMod: st.LastMod,
		PageURL: st.Release.URL, Validators: it.Page.Validators}
	if st.Fingerprint == "" {
		// Only seen in a listing before: this is its baseline, not news.
		put.Version = 1
		_, err := sc.store.Save(ctx, put, sc.now())
		res.Recorded++
		return err
	}
	changes := diff(&st.Release, r)
	put.Release.Changes = changes // kept for the feeds' "what changed"
	prev, err := sc.store.Targets(ctx, st.ID)
	if err != nil {
		return err
	}
	au, err := sc.aud.get(ctx)
	if err != nil {
		return err
	}
	al := buildAlert(r, release.KindUpdate, put.Version, changes, au.matcher)
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
	rs := au.recipients(&al, prev)
	put.Alert, put.Recipients = &al, rs
	if _, err := sc.store.Save(ctx, put, sc.now()); err != nil {
		return err
	}
	res.Updated++
	sc.log.Info("release", "event", "updated", "url", r.URL, "title", r.Title, "version", put.Version,
		"added", len(changes.Added), "removed", len(changes.Removed), "alerts", len(rs))
	return nil
}

// shrank reports whether an edit left less than 40% of the text.
func shrank(old, cur *release.Release) bool {
	return len(cur.Text())*5 < len(old.Text())*2
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
func (c *checker) recentPages(ctx context.Context, source string, now time.Time) ([]state.Page, error) {
	since := now.Add(-c.cfg.Recheck.D())
	c.mu.Lock()
	rc, ok := c.recent[source]
	c.mu.Unlock()
	if !ok || now.Sub(rc.at) >= recentTTL || now.Before(rc.at) {
		pages, err := c.store.Recent(ctx, source, since)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.recent[source] = recentCache{pages, now}
		c.mu.Unlock()
		return pages, nil
	}
	var out []state.Page
	for _, p := range rc.pages {
		if !p.Published.Before(since) || !p.FirstSeen.Before(since) {
			out = append(out, p)
		}
	}
	return out, nil
}

// forgetRecent drops the source's pages kept in memory (all sources' when
// source is "").
func (c *checker) forgetRecent(source string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if source == "" {
		clear(c.recent)
		return
	}
	delete(c.recent, source)
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
func (c *checker) dueRechecks(source string, recent []state.Page, prev, now time.Time) []state.Page {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := c.lookedAt[source]
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
	c.lookedAt[source] = kept
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
func (c *checker) looked(source string, id int64, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lookedAt[source] == nil {
		c.lookedAt[source] = map[int64]time.Time{}
	}
	c.lookedAt[source][id] = t
}

// recheckBudget is how long a check of the source may spend on re-checks
// (counted from its start) before leaving the rest for the next check: half
// the time between its scheduled checks, so that re-reading old pages
// never holds up the next look for new ones. Zero (no limit) outside the
// daemon, which sets it.
func (c *checker) recheckBudget(source string) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.budgets[source]
}

func (c *checker) setRecheckBudget(source string, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.budgets[source] = d
}
