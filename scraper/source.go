package scraper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/natowatch/natowatch/release"
)

// ErrEmptyListing is returned for a listing that names no item at all: a
// wrong URL, or a layout that changed under the selectors.
var ErrEmptyListing = errors.New("the listing names no items (wrong URL, or the page layout changed)")

// SourceConfig describes one source.
type SourceConfig struct {
	Name     string
	Kind     string // one of release.SourceKinds
	URL      string
	Language string        // nato: "en" (default) or "fr"
	Lookback time.Duration // nato: how far back listings are read (default 14 days)
	// SitemapEvery is how often, at most, nato.int's sitemap is swept for
	// what the JSON listing missed (default 3h; while the JSON listing
	// refuses, at most every 15 minutes).
	SitemapEvery time.Duration
	Selectors    HTMLSelectors // html only
}

// Source reads one configured source.
type Source struct {
	cfg SourceConfig
	f   *Fetcher

	mu        sync.Mutex
	sitemapAt string                     // nato: where the sitemap is, once known
	sweptAt   time.Time                  // nato: when this process last read the sitemap
	known     map[string]map[string]bool // nato: per hub, what its JSON listing gave last time
}

// NewSource returns a source that fetches with f.
func NewSource(cfg SourceConfig, f *Fetcher) *Source {
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = 14 * 24 * time.Hour
	}
	if cfg.SitemapEvery == 0 {
		cfg.SitemapEvery = 3 * time.Hour
	}
	return &Source{cfg: cfg, f: f, known: map[string]map[string]bool{}}
}

// Name is the configured name.
func (s *Source) Name() string { return s.cfg.Name }

// Listing is what a source lists now.
type Listing struct {
	Candidates []Candidate
	// Fetched holds the validators of the listing URLs answered 200; save
	// them only once every candidate was handled, or an item could be lost.
	Fetched map[string]release.Validators
	// NotModified is true when every listing URL answered 304.
	NotModified bool
	// Route says which routes answered ("json", "json+sitemap", "feed", …).
	Route string
	// Reads are the listing URLs read, for the log and natowatch doctor.
	Reads []Read
	// Warnings are what went wrong without failing the source.
	Warnings []string
	// Refused is set when nato.int's JSON listing refused and the sitemap
	// stood in for it.
	Refused bool
}

// ValidatorsFunc looks up the remembered validators of a URL.
type ValidatorsFunc func(ctx context.Context, url string) (release.Validators, error)

// List fetches the source's listing URLs conditionally and returns the
// candidates they name. When some listing URLs fail and others answer, the
// listing holds what was read and the error says what was not.
func (s *Source) List(ctx context.Context, validators ValidatorsFunc) (*Listing, error) {
	if s.cfg.Kind == release.SourceNATO {
		return s.listNATO(ctx, validators)
	}
	l := &Listing{Fetched: map[string]release.Validators{}, NotModified: true, Route: RoutePage}
	if s.cfg.Kind == release.SourceRSS {
		l.Route = RouteFeed
	}
	u := s.cfg.URL
	v, err := validators(ctx, u)
	if err != nil {
		return nil, err
	}
	page, rd, err := s.get(ctx, l.Route, u, v)
	if err == nil && !page.NotModified {
		var cands []Candidate
		cands, err = s.parseListing(ctx, u, page)
		if err == nil && len(cands) == 0 {
			// An empty feed or page is a wrong URL or a changed layout,
			// never a quiet check.
			err = ErrEmptyListing
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", u, err)
		} else {
			rd.Items = len(cands)
			l.Candidates = cands
			l.Fetched[u] = page.Validators
			l.NotModified = false
		}
	}
	l.add(rd, err)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// sitemapFromRobots is asked when a sitemap answered 404: it returns the
// sitemap robots.txt names instead (remembered for later checks), or "".
func (s *Source) sitemapFromRobots(ctx context.Context, failed string, err error) string {
	var se *StatusError
	if s.cfg.Kind != release.SourceNATO || !errors.As(err, &se) || se.Status != 404 {
		return ""
	}
	root, perr := url.Parse(s.cfg.URL)
	if perr != nil {
		return ""
	}
	page, gerr := s.f.Get(ctx, root.ResolveReference(&url.URL{Path: "/robots.txt"}).String(), release.Validators{})
	if gerr != nil {
		return ""
	}
	for _, line := range strings.Split(string(page.Body), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "sitemap") {
			continue
		}
		u, perr := url.Parse(strings.TrimSpace(v))
		if perr != nil || u.Path == "" {
			continue
		}
		// robots.txt may name the public host: keep the configured one.
		u.Scheme, u.Host = root.Scheme, root.Host
		if u.String() == failed {
			return ""
		}
		s.mu.Lock()
		s.sitemapAt = u.String()
		s.mu.Unlock()
		return u.String()
	}
	return ""
}

var publicViewPath = lazyRegexp(`(?i)^/view/[0-9a-f]{40}$`)

func (s *Source) parseListing(ctx context.Context, listURL string, page *Page) ([]Candidate, error) {
	base, err := url.Parse(page.URL)
	if err != nil {
		return nil, err
	}
	switch s.cfg.Kind {
	case release.SourceNATOLegacy:
		return ParseLegacyListing(page.Body, base)
	case release.SourceRSS:
		return ParseFeed(page.Body, base)
	case release.SourcePublicNow:
		cands, err := ParseLinks(page.Body, base, func(u *url.URL) bool { return publicViewPath().MatchString(u.Path) })
		for i := range cands {
			if _, t, ok := strings.Cut(cands[i].Title, "(via Public) /"); ok {
				cands[i].Title = strings.TrimSpace(t)
			}
		}
		return cands, err
	case release.SourceHTML:
		return ParseHTMLListing(page.Body, base, s.cfg.Selectors)
	}
	return nil, fmt.Errorf("unknown source type %q", s.cfg.Kind)
}

// rebase moves sitemap URLs onto the configured site: a sitemap names the
// site's public host, and the operator chose the one to read.
func rebase(cs []Candidate, root string) []Candidate {
	r, err := url.Parse(root)
	if err != nil || r.Host == "" {
		return cs
	}
	for i := range cs {
		u, err := url.Parse(cs[i].URL)
		if err != nil {
			continue
		}
		u.Scheme, u.Host = r.Scheme, r.Host
		cs[i].URL = Canonical(u.String(), nil)
	}
	return cs
}

// hub reads the news hub: its dated item links, leaving out the page's
// chrome (related news, sidebars) and items older than since. The hub is
// normally an app shell without item links: no items, no error.
func (s *Source) hub(body []byte, base *url.URL, since time.Time) ([]Candidate, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("news hub: %w", err)
	}
	removeNoise(doc)
	return natoItems(links(doc, base, func(u *url.URL) bool { return datedItem().MatchString(u.Path) }), s.cfg.Language, since), nil
}

// mergeCandidates adds b to a, joining what both know of the same URL.
func mergeCandidates(a, b []Candidate) []Candidate {
	idx := map[string]int{}
	for i, c := range a {
		idx[c.URL] = i
	}
	for _, c := range b {
		i, ok := idx[c.URL]
		if !ok {
			idx[c.URL] = len(a)
			a = append(a, c)
			continue
		}
		x := &a[i]
		if x.Title == "" {
			x.Title = c.Title
		}
		if x.Published.IsZero() {
			x.Published = c.Published
		}
		if c.LastMod.After(x.LastMod) {
			x.LastMod = c.LastMod
		}
		if x.GUID == "" {
			x.GUID = c.GUID
		}
		if len(c.Summary) > len(x.Summary) {
			x.Summary = c.Summary
		}
		if x.Byline == "" {
			x.Byline = c.Byline
		}
		if x.Kind == "" {
			x.Kind = c.Kind
		}
	}
	return a
}

// Item is the answer to fetching a candidate's page.
type Item struct {
	Page      *Page            // its NotModified: a 304, no Release
	Release   *release.Release // nil on a 304
	Aliases   []string         // other canonical URLs of the same release (redirects, rel=canonical)
	Truncated bool             // the page was cut off: not to be trusted as an edit
}

// NotModified reports a 304: the page is as it was.
func (it *Item) NotModified() bool { return it.Page != nil && it.Page.NotModified }

// Fetch fetches a candidate's page conditionally and extracts its release.
// When the page has no usable text but the feed gave a description, the
// description is the body.
func (s *Source) Fetch(ctx context.Context, c Candidate, v release.Validators) (*Item, error) {
	page, err := s.f.Get(ctx, c.URL, v)
	if err != nil {
		return nil, err
	}
	if page.NotModified {
		return &Item{Page: page}, nil
	}
	a, err := Extract(page.Body, page.URL, page.ContentType)
	if err != nil {
		if !errors.Is(err, ErrNoContent) || len(c.Summary) < minBodyChars || c.Title == "" {
			return nil, err
		}
		a = &Article{Release: release.Release{Title: c.Title, Body: strings.Split(c.Summary, "\n\n")}}
	}
	r := &a.Release
	r.Source, r.URL, r.GUID = s.cfg.Name, c.URL, c.GUID
	if r.Title == "" {
		r.Title = c.Title
	}
	by := c.Byline // the JSON listing describes a transcript by its by-line
	if s := clean(c.Summary); by == "" && isByline(s) {
		by = s
	}
	if r.Byline == "" && by != "" {
		r.Byline = by
		r.Title = cutTitle(titleWithByline(r.Title, by))
	}
	if r.Published.IsZero() {
		r.Published = c.Published
	}
	if t := typeOfLabel(c.Kind); t != "" && !a.stated {
		// The JSON listing's pageType says more than the URL's section;
		// the page's own kind line, when it has one, says most.
		r.Type = t
	}
	if r.Type == "" {
		r.Type = release.TypeOther
	}
	it := &Item{Page: page, Release: r, Truncated: a.Truncated}
	for _, alias := range []string{Canonical(page.URL, nil), a.Canonical} {
		if alias != "" && alias != c.URL {
			it.Aliases = append(it.Aliases, alias)
		}
	}
	return it, nil
}
