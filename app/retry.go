package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/natowatch/natowatch/scraper"
)

// A listed item whose page fails (missing, no text, a binary, over the
// size cap, a redirect loop, a server error) is the item's problem, not
// its source's: the source stays healthy (unless none of its new pages
// can be read: pagesFailing). The item is tried again with backoff and
// given up, with one log line, at its first failure a day after its
// first. State's missing items hold when it was first wanted and on how
// many checks since, so a new process (once) knows too.

// giveUpAfter is how long a listed item may keep failing before it is
// given up: a listing often names a page a little before it is published.
const giveUpAfter = 24 * time.Hour

// pageError is a listed item's page that could not be read or used.
type pageError struct{ err error }

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// tryNow reports whether a new item wanted by its count-th check is
// fetched on this one: the 1st, 2nd, 4th, 8th …, so that a page that
// keeps failing costs about ten requests a day, not one per check.
func tryNow(count int) bool { return count&(count-1) == 0 }

// tryNew fetches and stores a new item, unless it failed before and its
// retry is not due. A page that fails is noted, not returned as an error.
func (sc *sourceCheck) tryNew(ctx context.Context, c scraper.Candidate) error {
	firstAt, count, err := sc.store.NoteMissing(ctx, c.URL, sc.now())
	if err != nil {
		return err
	}
	overdue := sc.now().Sub(firstAt) >= giveUpAfter
	if !tryNow(count) && !overdue {
		sc.res.Missing++
		return nil
	}
	sc.newTried++
	err = sc.fetchNew(ctx, c)
	var pe *pageError
	if err == nil {
		// Stored (known under another name, perhaps): not missing.
		sc.newOK++
		return sc.store.ForgetMissing(ctx, c.URL)
	}
	if !errors.As(err, &pe) || ctx.Err() != nil {
		return err
	}
	if !notFound(pe.err) {
		sc.broken = append(sc.broken, pe.err)
	}
	switch {
	case !overdue:
		sc.res.Missing++
		if count == 1 {
			sc.log.Warn("listed item failed; trying it again on later checks", "url", c.URL, "err", pe.err)
		} else {
			sc.log.Debug("listed item failed again", "url", c.URL, "checks", count, "since", firstAt, "err", pe.err)
		}
		return nil
	}
	sc.log.Error("listed item failed for a day; giving it up", "url", c.URL, "checks", count, "since", firstAt, "err", pe.err)
	if err := sc.recordSeen(ctx, c); err != nil {
		return err
	}
	sc.res.Recorded++
	return sc.store.ForgetMissing(ctx, c.URL)
}

// notFound reports a 404: a listing running ahead of its pages, which says
// nothing about whether the source's pages can be read.
func notFound(err error) bool {
	var se *scraper.StatusError
	return errors.As(err, &se) && se.Status == 404
}

// allFailed starts the cause of a source none of whose new pages could
// be read.
const allFailed = "every new item failed"

// pagesFailing is the source's failure when new pages were fetched and
// none could be read, two at least (404s aside): a layout change breaks
// every page and would otherwise show only as item warnings. One page
// failing alone may just be odd, and stays a warning. A source failing so
// stays failing until a new page is read: a check that reads none (its
// items wait for a retry) says nothing of whether the pages were mended.
func (sc *sourceCheck) pagesFailing(prev string) error {
	if sc.newOK > 0 {
		return nil
	}
	n := len(sc.broken)
	was := strings.Index(prev, allFailed)
	switch {
	case n >= 2 || n == 1 && was >= 0:
		return fmt.Errorf("%s (%d of %d): %w", allFailed, sc.newTried, sc.newTried, sc.broken[0])
	case n == 0 && was >= 0:
		return errors.New(firstLine(prev[was:]))
	}
	return nil
}
