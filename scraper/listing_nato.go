package scraper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
)

// Routes a listing can come by.
const (
	RouteJSON    = "json"    // nato.int's JSON search endpoints
	RouteSitemap = "sitemap" // nato.int's sitemap
	RouteHub     = "hub"     // nato.int's hub HTML, when it lists items
	RouteFeed    = "feed"    // an RSS or Atom feed
	RoutePage    = "page"    // a listing page: /cps/, Public, html selectors
)

// Read is one listing URL as a check read it.
type Read struct {
	Route       string
	URL         string
	NotModified bool
	Bytes       int64 // body bytes on the wire (0 for a 304)
	Took        time.Duration
	Items       int    // items it gave
	Err         string // why it gave none, if it failed
}

func (l *Listing) add(r Read, err error) {
	if err != nil {
		r.Err = err.Error()
	}
	l.Reads = append(l.Reads, r)
}

func (l *Listing) warn(format string, args ...any) {
	l.Warnings = append(l.Warnings, fmt.Sprintf(format, args...))
}

// get is a conditional GET of a listing URL, timed.
func (s *Source) get(ctx context.Context, route, u string, v release.Validators) (*Page, Read, error) {
	start := time.Now()
	page, err := s.f.Get(ctx, u, v)
	rd := Read{Route: route, URL: u, Took: time.Since(start)}
	if page != nil {
		rd.NotModified, rd.Bytes = page.NotModified, int64(len(page.Body))
	}
	return page, rd, err
}

// Sitemap limits: its own, sized for a file of tens of megabytes, apart
// from the pages'.
var sitemapLimits = StreamLimits{MaxBytes: 64 << 20, Timeout: 3 * time.Minute}

// maxSitemapChildrenRead bounds how many children of a sitemap index one
// sweep reads.
const maxSitemapChildrenRead = 20

// fallbackEvery is how often, at most, the sitemap is read while the JSON
// listing refuses: it is then the only listing, but a large one.
const fallbackEvery = 15 * time.Minute

// sweptSuffix marks the pseudo-URL under which the time of the last
// sitemap sweep is kept among the validators, so that a process started by
// cron knows it too (a fragment: no page has it).
const sweptSuffix = "#natowatch-swept"

// listNATO reads nato.int: the JSON listings first; the sitemap when they
// refuse and, as a sweep for what they missed, every SitemapEvery; the hub
// HTML, which is normally an app shell with no items.
func (s *Source) listNATO(ctx context.Context, validators ValidatorsFunc) (*Listing, error) {
	l := &Listing{Fetched: map[string]release.Validators{}, NotModified: true}
	now := time.Now()
	since := now.Add(-s.cfg.Lookback)
	var routes []string
	var errs []error
	if s.listJSON(ctx, validators, l, since) > 0 {
		routes = append(routes, RouteJSON)
	}
	due, err := s.sweepDue(ctx, validators, now, l.Refused)
	if err != nil {
		return nil, err
	}
	if due {
		if err := s.listSitemap(ctx, validators, l, since, now); err != nil {
			errs = append(errs, err)
		} else {
			routes = append(routes, RouteSitemap)
		}
	} else if l.Refused {
		l.warn("sitemap not read again before %s", s.lastSweep(ctx, validators).Add(s.sweepEvery(true)).UTC().Format(time.RFC3339))
	}
	hub := strings.TrimRight(s.cfg.URL, "/") + "/" + s.cfg.Language + "/" + natoHubs[0].path
	n, hubOK := s.listHub(ctx, validators, l, hub, since)
	if n > 0 {
		routes = append(routes, RouteHub)
	}
	l.Route = strings.Join(routes, "+")
	if len(routes) == 0 && !hubOK {
		// Nothing answered at all: the site is down, not refusing. Every
		// read's error says so (the sitemap's among them).
		errs = nil
		for _, r := range l.Reads {
			if r.Err != "" {
				errs = append(errs, errors.New(r.Err))
			}
		}
		return nil, errors.Join(errs...)
	}
	if len(routes) == 0 && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(errs) > 0 && !l.Refused {
		// A failed sweep while the JSON listing answers is no failure.
		for _, e := range errs {
			l.warn("%v", e)
		}
		errs = nil
	}
	return l, errors.Join(errs...)
}

func (s *Source) sweepEvery(refused bool) time.Duration {
	every := s.cfg.SitemapEvery
	if refused {
		every = min(every, fallbackEvery)
	}
	return every
}

// lastSweep is when the sitemap was last read, by this process or, as
// recorded among the validators, by an earlier one.
func (s *Source) lastSweep(ctx context.Context, validators ValidatorsFunc) time.Time {
	s.mu.Lock()
	last := s.sweptAt
	s.mu.Unlock()
	if v, err := validators(ctx, s.sitemapURL()+sweptSuffix); err == nil {
		if t, err := http.ParseTime(v.LastModified); err == nil && t.After(last) {
			last = t
		}
	}
	return last
}

func (s *Source) sweepDue(ctx context.Context, validators ValidatorsFunc, now time.Time, refused bool) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	last := s.lastSweep(ctx, validators)
	return last.IsZero() || now.Sub(last) >= s.sweepEvery(refused), nil
}

func (s *Source) sitemapURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sitemapAt != "" {
		return s.sitemapAt
	}
	return strings.TrimRight(s.cfg.URL, "/") + "/sitemap.xml"
}

// listSitemap streams the sitemap (or the recent children of a sitemap
// index), keeping the dated items of the lookback. A sitemap cut short
// gives what was read and a warning.
func (s *Source) listSitemap(ctx context.Context, validators ValidatorsFunc, l *Listing, since, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, sitemapLimits.Timeout)
	defer cancel()
	keep := func(c Candidate) bool { return natoItem(&c, s.cfg.Language, since) }
	u := s.sitemapURL()
	v, err := validators(ctx, u)
	if err != nil {
		return err
	}
	items, children, got, err := s.streamSitemap(ctx, l, u, v, keep)
	if alt := s.sitemapFromRobots(ctx, u, err); alt != "" {
		u = alt
		if v, err = validators(ctx, u); err != nil {
			return err
		}
		items, children, got, err = s.streamSitemap(ctx, l, u, v, keep)
	}
	if err != nil && !got.answered {
		return err // no answer: nothing read
	}
	s.mu.Lock()
	s.sweptAt = now
	s.mu.Unlock()
	l.Fetched[u+sweptSuffix] = release.Validators{LastModified: now.UTC().Format(http.TimeFormat)}
	complete := err == nil
	if err != nil {
		l.warn("sitemap read in part: %v", err)
	}
	n := 0
	for _, c := range children {
		if n >= maxSitemapChildrenRead {
			l.warn("sitemap index: %d children, read the %d newest-listed", len(children), maxSitemapChildrenRead)
			break
		}
		if !c.LastMod.IsZero() && c.LastMod.Before(since) {
			continue
		}
		n++
		more, _, _, err := s.streamSitemap(ctx, l, c.URL, release.Validators{}, keep)
		if err != nil {
			complete = false
			l.warn("sitemap index child: %v", err)
		}
		items = append(items, more...)
	}
	if complete {
		// Only a sitemap read whole may answer 304 next time.
		l.Fetched[u] = got.Validators
	}
	l.Candidates = mergeCandidates(l.Candidates, rebase(items, s.cfg.URL))
	return nil
}

// answer is a sitemap's validators, and whether it answered at all.
type answer struct {
	release.Validators
	answered bool
}

// streamSitemap reads one sitemap document; a 304 reads nothing.
func (s *Source) streamSitemap(ctx context.Context, l *Listing, u string, v release.Validators, keep func(Candidate) bool) (items, children []Candidate, got answer, err error) {
	start := time.Now()
	var read int
	st, err := s.f.Stream(ctx, u, v, sitemapLimits, func(r io.Reader) error {
		var err error
		items, children, read, err = SitemapStream(r, keep)
		return err
	})
	rd := Read{Route: RouteSitemap, URL: u, Took: time.Since(start), Items: len(items)}
	if st != nil {
		rd.NotModified, rd.Bytes = st.NotModified, st.Wire
		got = answer{st.Validators, true}
		if st.NotModified {
			l.add(rd, nil)
			return nil, nil, got, nil
		}
		l.NotModified = false
		if st.Trimmed {
			err = errors.Join(err, fmt.Errorf("%w: cut at %d bytes after %d entries", ErrTooLarge, sitemapLimits.MaxBytes, read))
		}
	}
	l.add(rd, err)
	return items, children, got, err
}

// listHub reads the hub's HTML: normally an app shell without items, which
// is no error; a hub that lists items again is used. It returns how many
// items it gave, and whether it answered.
func (s *Source) listHub(ctx context.Context, validators ValidatorsFunc, l *Listing, u string, since time.Time) (int, bool) {
	v, err := validators(ctx, u)
	if err != nil {
		return 0, false
	}
	page, rd, err := s.get(ctx, RouteHub, u, v)
	if err == nil && !page.NotModified {
		var base *url.URL
		var cands []Candidate
		if base, err = url.Parse(page.URL); err == nil {
			cands, err = s.hub(page.Body, base, since)
		}
		if err == nil {
			rd.Items = len(cands)
			l.Candidates = mergeCandidates(l.Candidates, cands)
			l.Fetched[u] = page.Validators
			l.NotModified = false
		}
	}
	l.add(rd, err)
	if err != nil {
		l.warn("hub (optional): %v", err)
	}
	return rd.Items, err == nil
}
