package scraper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
)

// ErrRefused is a JSON listing answered with something that is not one: an
// HTML page (a gate), or JSON without its "pages".
var ErrRefused = errors.New("the JSON listing answered something else")

// natoHub is a section of nato.int whose hub is a client-side app that reads
// a JSON search endpoint.
type natoHub struct {
	path      string // under /<lang>/
	component string // the search component's name in the endpoint's path
}

// natoHubs are the sections read: news, transcripts, official texts. The
// transcripts hub's search component has another name.
var natoHubs = []natoHub{
	{"news-and-events/articles/news", "general_search"},
	{"news-and-events/events/transcripts", "general_search_copy"},
	{"about-us/official-texts-and-resources/official-texts", "general_search"},
}

// jsonPageSize is what the site's own app asks for; larger sizes are
// reported to work, but 15 is the one known to.
const jsonPageSize = 15

// searchURL is the JSON search endpoint of a hub, newest first, 1-based page.
func searchURL(root, lang string, h natoHub, page int) string {
	q := url.Values{"searchType": {"wcm"}, "sortBy": {"dateDesc"}, "pageSize": {strconv.Itoa(jsonPageSize)},
		"page": {strconv.Itoa(page)}, "languages": {lang}}
	return strings.TrimRight(root, "/") + "/content/nato/" + lang + "/" + h.path +
		"/jcr:content/root/container/" + h.component + ".search.json?" + q.Encode()
}

type searchAnswer struct {
	Pages *[]struct {
		Title        string `json:"title"`
		Description  string `json:"description"`
		HeadingTitle string `json:"headingTitle"`
		PageDate     string `json:"pageDate"`
		PageType     string `json:"pageType"`
		Link         string `json:"link"`
	} `json:"pages"`
	NumberOfPages int `json:"numberOfPages"`
}

// ParseSearchJSON reads one page of a JSON search answer: its dated items
// in lang, and how many pages there are. base resolves the site-relative
// links. An HTML page or JSON without "pages" is ErrRefused.
func ParseSearchJSON(body []byte, base *url.URL, lang string) (cands []Candidate, pages int, err error) {
	if looksLikeHTML(body) {
		return nil, 0, fmt.Errorf("%w: an HTML page", ErrRefused)
	}
	var a searchAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if a.Pages == nil {
		return nil, 0, fmt.Errorf("%w: no \"pages\"", ErrRefused)
	}
	for _, p := range *a.Pages {
		u, err := base.Parse(strings.TrimSpace(p.Link))
		if err != nil {
			continue
		}
		m := datedItem().FindStringSubmatch(u.Path)
		if m == nil || m[1] != lang {
			continue // topic pages, events, other languages
		}
		c := Candidate{URL: Canonical(u.String(), nil), Title: clean(p.Title), Kind: strings.TrimSpace(p.PageType)}
		if d := clean(p.Description); strings.HasPrefix(strings.ToLower(d), "by ") {
			c.Byline = d
		}
		if d, ok := DateFromURL(c.URL); ok {
			c.Published = d
		} else if d, err := ParseDate(strings.TrimSpace(p.PageDate)); err == nil {
			c.Published = d
		}
		cands = append(cands, c)
	}
	return cands, a.NumberOfPages, nil
}

// maxJSONPages bounds how deep one check pages into a hub's listing.
const maxJSONPages = 4

// listJSON reads each hub's JSON listing newest first, page by page, until
// it reaches items seen before, items older than the lookback, the last
// page or maxJSONPages. It reports how many hubs answered; a hub that did
// not is a warning, and l.Refused.
func (s *Source) listJSON(ctx context.Context, validators ValidatorsFunc, l *Listing, since time.Time) (answered int) {
	root, err := url.Parse(s.cfg.URL)
	if err != nil {
		return 0
	}
	for _, h := range natoHubs {
		if s.listHubJSON(ctx, validators, l, root, h, since) {
			answered++
		}
	}
	return answered
}

// listHubJSON reads one hub's JSON listing; it reports whether it answered.
func (s *Source) listHubJSON(ctx context.Context, validators ValidatorsFunc, l *Listing, root *url.URL, h natoHub, since time.Time) bool {
	first := searchURL(s.cfg.URL, s.cfg.Language, h, 1)
	v, err := validators(ctx, first)
	if err != nil {
		l.warn("%s: %v", first, err)
		return false
	}
	// What was listed before: in this process, the URLs; in a new one,
	// everything dated before the day the listing last changed (items come
	// newest first, and the URL's date is a day).
	s.mu.Lock()
	known := s.known[h.path]
	s.mu.Unlock()
	var before time.Time
	if t, err := http.ParseTime(v.LastModified); err == nil {
		before = t.UTC().Truncate(24 * time.Hour)
	}
	seen := map[string]bool{}
	for p := 1; p <= maxJSONPages; p++ {
		u := searchURL(s.cfg.URL, s.cfg.Language, h, p)
		if p > 1 {
			v = release.Validators{} // only the first page is asked conditionally
		}
		page, rd, err := s.get(ctx, RouteJSON, u, v)
		more, pages, stop := []Candidate(nil), 0, false
		if err == nil && !page.NotModified {
			var cands []Candidate
			if cands, pages, err = ParseSearchJSON(page.Body, root, s.cfg.Language); err == nil {
				more, stop = keepRecent(rebase(cands, s.cfg.URL), since, before, known, seen)
			}
		}
		rd.Items = len(more)
		l.add(rd, err)
		switch {
		case err != nil && p == 1:
			l.Refused = true
			l.warn("JSON listing refused (%v); falling back on the sitemap", err)
			return false
		case err != nil:
			l.warn("JSON listing, page %d: %v", p, err)
			return true
		case page.NotModified:
			return true
		}
		l.Candidates = mergeCandidates(l.Candidates, more)
		l.NotModified = false
		if p == 1 {
			l.Fetched[u] = page.Validators
			s.mu.Lock()
			s.known[h.path] = seen // filled by the pages read below too
			s.mu.Unlock()
		}
		if stop || p >= pages {
			break
		}
	}
	return true
}

// keepRecent returns the candidates newer than since, noting every URL in
// seen; stop is true when one was older, known, or dated before the day
// the listing was last read: the pages after hold nothing new. Known items
// are kept: one that failed last time is not stored yet.
func keepRecent(cs []Candidate, since, before time.Time, known, seen map[string]bool) (out []Candidate, stop bool) {
	for _, c := range cs {
		seen[c.URL] = true
		if !c.Published.IsZero() && c.Published.Before(since) {
			stop = true
			continue
		}
		stop = stop || known[c.URL] || (!c.Published.IsZero() && c.Published.Before(before))
		out = append(out, c)
	}
	return out, stop
}
