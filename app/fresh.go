package app

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// maxNew is the most new items one check of a source watched all along
// posts (catch_up.max_count if larger): a listing that suddenly names
// thousands of new items (an archive put online, a new URL scheme) is not
// thousands of news, and fetching them all would hold up every alert for
// hours. The newest go out; the rest are recorded without fetching.
const maxNew = 100

// handleFresh fetches and stores items never seen before. On a source's
// first check, beyond the catch-up caps and beyond maxNew, items are only
// recorded.
func (sc *sourceCheck) handleFresh(ctx context.Context, fresh []scraper.Candidate) {
	newestFirst(fresh)
	limit := max(maxNew, sc.cfg.CatchUp.MaxCount)
	switch {
	case sc.first:
		limit = sc.postLast
	case sc.catchUp:
		limit = sc.cfg.CatchUp.MaxCount
	}
	if !sc.first && len(fresh) > limit {
		sc.log.Warn("more new items than one check posts: posting the newest, recording the rest without posting",
			"new", len(fresh), "posting", limit, "catching_up", sc.catchUp)
	}
	var post []scraper.Candidate
	for _, c := range fresh {
		if ctx.Err() != nil {
			return
		}
		if len(post) >= limit || sc.tooOld(c.Published) {
			if err := sc.recordSeen(ctx, c); err != nil {
				// The state fails: one error, not one per item of a flood.
				// Nothing is lost: the next check finds them new again.
				sc.res.Errors = append(sc.res.Errors, err)
				return
			}
			sc.res.Recorded++
			continue
		}
		post = append(post, c)
	}
	// Oldest first, so alerts queue in the order of publication.
	for i := len(post) - 1; i >= 0; i-- {
		if ctx.Err() != nil {
			return // stopping: what is left is new again next time
		}
		c := post[i]
		err := sc.tryNew(ctx, c)
		if ctx.Err() != nil {
			return // cut short by a stop: not the item's failure
		}
		if err != nil {
			sc.res.Errors = append(sc.res.Errors, err)
			sc.log.Warn("item failed", "url", c.URL, "err", err)
		}
	}
}

// tooOld reports a release published before catch_up.max_age: recorded,
// not posted (except on a first check, which posts only post_latest).
func (sc *sourceCheck) tooOld(published time.Time) bool {
	return !sc.first && !published.IsZero() && published.Before(sc.oldest)
}

// newestFirst sorts candidates by date when every one has a date, and keeps
// the listing's order (newest first on every known site) otherwise.
func newestFirst(cs []scraper.Candidate) {
	for _, c := range cs {
		if c.Published.IsZero() {
			return
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Published.After(cs[j].Published) })
}

// recordSeen records a listed item without fetching or posting it.
func (sc *sourceCheck) recordSeen(ctx context.Context, c scraper.Candidate) error {
	source := sc.src.Name()
	r := release.Release{Source: source, URL: c.URL, GUID: c.GUID, Title: c.Title, Published: c.Published, Type: release.TypeOther}
	_, err := sc.store.Save(ctx, state.Put{Release: r, Keys: candidateKeys(source, c), LastMod: c.LastMod}, sc.now())
	return err
}

// fetchNew fetches a new item's page and stores the release with its
// alerts, or as an update when it is known under another name.
func (sc *sourceCheck) fetchNew(ctx context.Context, c scraper.Candidate) error {
	it, err := sc.src.Fetch(ctx, c, release.Validators{})
	if err != nil {
		return &pageError{err}
	}
	if it.NotModified() || it.Release == nil {
		return &pageError{fmt.Errorf("%s: 304 for a page fetched without validators", c.URL)}
	}
	r := it.Release
	keys := append(candidateKeys(sc.src.Name(), c), releaseKeys(r, it.Aliases)...)
	if st, err := sc.store.Lookup(ctx, keys); err != nil {
		return err
	} else if st != nil {
		// Known under another name (re-identified, re-dated, or the same
		// release from another source): an update at most, never new.
		st.LastMod = c.LastMod
		return sc.compare(ctx, st, it, keys)
	}
	put := state.Put{Release: *r, Keys: keys, Fingerprint: fingerprint(r), Version: 1, LastMod: c.LastMod,
		PageURL: c.URL, Validators: it.Page.Validators}
	var rs []state.Recipient
	if !sc.tooOld(r.Published) {
		au, err := sc.aud.get(ctx)
		if err != nil {
			return err
		}
		al := buildAlert(r, release.KindNew, 1, nil, au.matcher)
		rs = au.recipients(&al, nil)
		put.Alert, put.Recipients = &al, rs
	}
	id, err := sc.store.Save(ctx, put, sc.now()) // and forgets that the page was missing
	if err != nil {
		return err
	}
	sc.res.New++
	sc.read = append(sc.read, id)
	sc.log.Info("release", "event", "new", "url", r.URL, "title", r.Title, "type", r.Type,
		"published", r.Published, "alerts", len(rs))
	return nil
}
