package app

import (
	"context"
	"fmt"
	"log/slog"
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
func (a *App) handleFresh(ctx context.Context, log *slog.Logger, src Source, aud *lazyAudience, fresh []scraper.Candidate, first, catchUp bool, res *CheckResult) {
	newestFirst(fresh)
	limit := max(maxNew, a.cfg.CatchUp.MaxCount)
	switch {
	case first:
		limit = a.postLast
	case catchUp:
		limit = a.cfg.CatchUp.MaxCount
	}
	if !first && len(fresh) > limit {
		log.Warn("more new items than one check posts: posting the newest, recording the rest without posting",
			"new", len(fresh), "posting", limit, "catching_up", catchUp)
	}
	oldest := a.now().Add(-a.cfg.CatchUp.MaxAge.D())
	var post []scraper.Candidate
	for _, c := range fresh {
		if ctx.Err() != nil {
			return
		}
		tooOld := !first && !c.Published.IsZero() && c.Published.Before(oldest)
		if len(post) >= limit || tooOld {
			if err := a.recordSeen(ctx, src.Name(), c); err != nil {
				// The state fails: one error, not one per item of a flood.
				// Nothing is lost: the next check finds them new again.
				res.Errors = append(res.Errors, err)
				return
			}
			res.Recorded++
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
		err := a.tryNew(ctx, log, src, aud, c, oldest, first, res)
		if ctx.Err() != nil {
			return // cut short by a stop: not the item's failure
		}
		if err != nil {
			res.Errors = append(res.Errors, err)
			log.Warn("item failed", "url", c.URL, "err", err)
		}
	}
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

func (a *App) recordSeen(ctx context.Context, source string, c scraper.Candidate) error {
	r := release.Release{Source: source, URL: c.URL, GUID: c.GUID, Title: c.Title, Published: c.Published, Type: release.TypeOther}
	_, err := a.store.Save(ctx, state.Put{Release: r, Keys: candidateKeys(source, c), LastMod: c.LastMod}, a.now())
	return err
}

func (a *App) fetchNew(ctx context.Context, log *slog.Logger, src Source, aud *lazyAudience, c scraper.Candidate, oldest time.Time, first bool, res *CheckResult) error {
	it, err := src.Fetch(ctx, c, release.Validators{})
	if err != nil {
		return &pageError{err}
	}
	if it.NotModified || it.Release == nil {
		return &pageError{fmt.Errorf("%s: 304 for a page fetched without validators", c.URL)}
	}
	r := it.Release
	keys := append(candidateKeys(src.Name(), c), releaseKeys(r, it.Aliases)...)
	if st, err := a.store.Lookup(ctx, keys); err != nil {
		return err
	} else if st != nil {
		// Known under another name (re-identified, re-dated, or the same
		// release from another source): an update at most, never new.
		st.LastMod = c.LastMod
		return a.compare(ctx, log, aud, st, it, keys, res)
	}
	put := state.Put{Release: *r, Keys: keys, Fingerprint: fingerprint(r), Version: 1, LastMod: c.LastMod,
		PageURL: c.URL, Validators: it.Page.Validators}
	tooOld := !first && !r.Published.IsZero() && r.Published.Before(oldest)
	if !tooOld {
		au, err := aud.get(ctx)
		if err != nil {
			return err
		}
		al := a.buildAlert(r, release.KindNew, 1, nil, au.matcher)
		put.Alert, put.Recipients = &al, a.recipientsFor(al, nil, au)
	}
	id, err := a.store.Save(ctx, put, a.now()) // and forgets that the page was missing
	if err != nil {
		return err
	}
	res.New++
	res.read = append(res.read, id)
	log.Info("release", "event", "new", "url", r.URL, "title", r.Title, "type", r.Type,
		"published", r.Published, "alerts", len(put.Recipients))
	return nil
}
