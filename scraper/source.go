package scraper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/natowatch/natowatch/release"
)

// ErrEmptyListing is returned for a listing that names no item at all: a
// wrong URL, or a layout that changed under the selectors.
var ErrEmptyListing = errors.New("the listing names no items (wrong URL, or the page layout changed)")

// Kinds of source.
const (
	KindNATO       = "nato"
	KindNATOLegacy = "nato-legacy"
	KindRSS        = "rss"
	KindPublicNow  = "publicnow"
	KindHTML       = "html"
)

// Kinds lists every source kind.
var Kinds = []string{KindNATO, KindNATOLegacy, KindRSS, KindPublicNow, KindHTML}

// SourceConfig describes one source.
type SourceConfig struct {
	Name      string
	Kind      string
	URL       string
	Language  string        // nato: "en" (default) or "fr"
	Lookback  time.Duration // nato: how far back the sitemap is read (default 14 days)
	Selectors HTMLSelectors // html only
}

// Source reads one configured source.
type Source struct {
	cfg SourceConfig
	f   *Fetcher

	mu        sync.Mutex
	sitemapAt string // nato: where the sitemap is, once known
}

// NewSource returns a source that fetches with f.
func NewSource(cfg SourceConfig, f *Fetcher) *Source {
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Lookback == 0 {
		cfg.Lookback = 14 * 24 * time.Hour
	}
	return &Source{cfg: cfg, f: f}
}

// Name is the configured name.
func (s *Source) Name() string { return s.cfg.Name }

// Listing is what a source lists now.
type Listing struct {
	Candidates []Candidate
	// Fetched holds the validators of the listing URLs answered 200; save
	// them only once every candidate was handled, or an item could be lost.
	Fetched map[string]Validators
	// NotModified is true when every listing URL answered 304.
	NotModified bool
}

// ValidatorsFunc looks up the remembered validators of a URL.
type ValidatorsFunc func(ctx context.Context, url string) (Validators, error)

// List fetches the source's listing URLs conditionally and returns the
// candidates they name. When some listing URLs fail and others answer, the
// listing holds what was read and the error says what was not.
func (s *Source) List(ctx context.Context, validators ValidatorsFunc) (*Listing, error) {
	l := &Listing{Fetched: map[string]Validators{}, NotModified: true}
	var errs []error
	read := 0
	for _, u := range s.listingURLs() {
		page, err := s.getListing(ctx, u, validators)
		if alt := s.sitemapFromRobots(ctx, u, err); alt != "" {
			u = alt
			page, err = s.getListing(ctx, u, validators)
		}
		if err != nil {
			if s.optional(u, err) {
				continue
			}
			errs = append(errs, err)
			continue
		}
		read++
		if page.NotModified {
			continue
		}
		l.NotModified = false
		cands, err := s.parseListing(ctx, u, page)
		if err == nil && len(cands) == 0 && s.cfg.Kind != KindRSS && s.cfg.Kind != KindNATO {
			err = ErrEmptyListing
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", u, err))
			continue
		}
		l.Candidates = mergeCandidates(l.Candidates, cands)
		l.Fetched[u] = page.Validators
	}
	if len(errs) == 0 {
		return l, nil
	}
	err := errors.Join(errs...)
	if read == 0 {
		return nil, err
	}
	return l, err
}

func (s *Source) getListing(ctx context.Context, u string, validators ValidatorsFunc) (*Page, error) {
	v, err := validators(ctx, u)
	if err != nil {
		return nil, err
	}
	return s.f.Get(ctx, u, v)
}

// optional reports whether a listing URL may be missing: nato.int's news
// hub, when the sitemap (which lists everything) is there.
func (s *Source) optional(u string, err error) bool {
	var se *StatusError
	return s.cfg.Kind == KindNATO && !strings.HasSuffix(u, ".xml") && errors.As(err, &se) && se.Status == 404
}

// listingURLs are the URLs a check reads. For nato.int: the sitemap and
// the news hub.
func (s *Source) listingURLs() []string {
	root := strings.TrimRight(s.cfg.URL, "/")
	if s.cfg.Kind != KindNATO {
		return []string{s.cfg.URL}
	}
	s.mu.Lock()
	sitemap := s.sitemapAt
	s.mu.Unlock()
	if sitemap == "" {
		sitemap = root + "/sitemap.xml"
	}
	return []string{sitemap, root + "/" + s.cfg.Language + "/news-and-events/articles/news"}
}

// sitemapFromRobots is asked when a sitemap answered 404: it returns the
// sitemap robots.txt names instead (remembered for later checks), or "".
func (s *Source) sitemapFromRobots(ctx context.Context, failed string, err error) string {
	var se *StatusError
	if s.cfg.Kind != KindNATO || !strings.HasSuffix(failed, ".xml") || !errors.As(err, &se) || se.Status != 404 {
		return ""
	}
	root, perr := url.Parse(s.cfg.URL)
	if perr != nil {
		return ""
	}
	page, gerr := s.f.Get(ctx, root.ResolveReference(&url.URL{Path: "/robots.txt"}).String(), Validators{})
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

var publicViewPath = regexp.MustCompile(`(?i)^/view/[0-9a-f]{40}$`)

func (s *Source) parseListing(ctx context.Context, listURL string, page *Page) ([]Candidate, error) {
	base, err := url.Parse(page.URL)
	if err != nil {
		return nil, err
	}
	switch s.cfg.Kind {
	case KindNATO:
		if strings.HasSuffix(listURL, ".xml") {
			return s.sitemap(ctx, page.Body)
		}
		return s.hub(page.Body, base)
	case KindNATOLegacy:
		return ParseLegacyListing(page.Body, base)
	case KindRSS:
		return ParseFeed(page.Body, base)
	case KindPublicNow:
		cands, err := ParseLinks(page.Body, base, func(u *url.URL) bool { return publicViewPath.MatchString(u.Path) })
		for i := range cands {
			if _, t, ok := strings.Cut(cands[i].Title, "(via Public) /"); ok {
				cands[i].Title = strings.TrimSpace(t)
			}
		}
		return cands, err
	case KindHTML:
		return ParseHTMLListing(page.Body, base, s.cfg.Selectors)
	}
	return nil, fmt.Errorf("unknown source type %q", s.cfg.Kind)
}

// sitemap reads a urlset, or the recent children of a sitemap index.
func (s *Source) sitemap(ctx context.Context, body []byte) ([]Candidate, error) {
	since := time.Now().Add(-s.cfg.Lookback)
	items, children, err := ParseSitemap(body)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 && len(children) == 0 {
		return nil, fmt.Errorf("sitemap: %w", ErrEmptyListing)
	}
	for i, c := range children {
		if i >= 20 || (!c.LastMod.IsZero() && c.LastMod.Before(since)) {
			continue
		}
		page, err := s.f.Get(ctx, c.URL, Validators{})
		if err != nil {
			return nil, err
		}
		more, _, err := ParseSitemap(page.Body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.URL, err)
		}
		items = append(items, more...)
	}
	return rebase(natoItems(items, s.cfg.Language, since), s.cfg.URL), nil
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
// chrome (related news, sidebars) and items older than the lookback.
func (s *Source) hub(body []byte, base *url.URL) ([]Candidate, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("news hub: %w", err)
	}
	removeNoise(doc)
	since := time.Now().Add(-s.cfg.Lookback)
	var out []Candidate
	seen := map[string]bool{}
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		u, err := base.Parse(strings.TrimSpace(href))
		if err != nil || !datedItem.MatchString(u.Path) {
			return
		}
		c := Candidate{URL: Canonical(u.String(), nil), Title: clean(a.Text())}
		if d, ok := DateFromURL(c.URL); ok {
			if d.Before(since) {
				return
			}
			c.Published = d
		}
		if m := datedItem.FindStringSubmatch(u.Path); m == nil || m[1] != s.cfg.Language || seen[c.URL] {
			return
		}
		seen[c.URL] = true
		out = append(out, c)
	})
	if len(out) == 0 && doc.Find("a[href]").FilterFunction(func(_ int, a *goquery.Selection) bool {
		h, _ := a.Attr("href")
		return datedItem.MatchString(resolvePath(base, h))
	}).Length() == 0 {
		return nil, fmt.Errorf("news hub: %w", ErrEmptyListing)
	}
	return out, nil
}

func resolvePath(base *url.URL, href string) string {
	u, err := base.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	return u.Path
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
	}
	return a
}

// Item is the answer to fetching a candidate's page.
type Item struct {
	Page        *Page
	NotModified bool
	Release     *release.Release
	Aliases     []string // other canonical URLs of the same release (redirects, rel=canonical)
	Truncated   bool     // the page was cut off: not to be trusted as an edit
}

// Fetch fetches a candidate's page conditionally and extracts its release.
// When the page has no usable text but the feed gave a description, the
// description is the body.
func (s *Source) Fetch(ctx context.Context, c Candidate, v Validators) (*Item, error) {
	page, err := s.f.Get(ctx, c.URL, v)
	if err != nil {
		return nil, err
	}
	if page.NotModified {
		return &Item{Page: page, NotModified: true}, nil
	}
	a, err := Extract(page.Body, page.URL, page.ContentType)
	if err != nil {
		if !errors.Is(err, ErrNoContent) || len(c.Summary) < minBodyChars || c.Title == "" {
			return nil, err
		}
		a = &Article{Title: c.Title, Body: strings.Split(c.Summary, "\n\n")}
	}
	r := &release.Release{
		Source:    s.cfg.Name,
		URL:       c.URL,
		GUID:      c.GUID,
		Title:     a.Title,
		Type:      a.Type,
		Published: a.Published,
		Reference: a.Reference,
		Speakers:  a.Speakers,
		Byline:    a.Byline,
		Body:      a.Body,
	}
	if r.Title == "" {
		r.Title = c.Title
	}
	if by := clean(c.Summary); r.Byline == "" && isByline(by) {
		// The JSON listing describes a transcript by its by-line.
		r.Byline = by
		r.Title = cutTitle(titleWithByline(r.Title, by))
	}
	if r.Published.IsZero() {
		r.Published = c.Published
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
