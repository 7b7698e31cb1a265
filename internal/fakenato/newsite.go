package fakenato

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// hub is a section of the new site: an app shell whose items the browser
// fetches from a JSON search endpoint.
type hub struct {
	path      string   // /en/…
	component string   // the endpoint's search component
	title     string   //
	kinds     []string // Item kinds it lists
}

var hubs = []hub{
	{hubPath, "general_search", "News", []string{"news", "press-release"}},
	{"/en/news-and-events/events/transcripts", "general_search_copy", "Speeches and transcripts", []string{"transcript"}},
	{"/en/about-us/official-texts-and-resources/official-texts", "general_search", "Official texts", []string{"official-text"}},
}

// searchPath is a hub's JSON search endpoint (without its query).
func searchPath(h hub) string {
	return "/content/nato" + h.path + "/jcr:content/root/container/" + h.component + ".search.json"
}

// SearchPath is the JSON search endpoint of the hub listing kind ("news",
// "transcript", "official-text"), e.g. to make it Fail.
func SearchPath(kind string) string {
	for _, h := range hubs {
		for _, k := range h.kinds {
			if k == kind {
				return searchPath(h)
			}
		}
	}
	return ""
}

// HubPath is the hub listing kind.
func HubPath(kind string) string {
	for _, h := range hubs {
		for _, k := range h.kinds {
			if k == kind {
				return h.path
			}
		}
	}
	return ""
}

func hubBySearchPath(p string) (hub, bool) {
	for _, h := range hubs {
		if p == searchPath(h) {
			return h, true
		}
	}
	return hub{}, false
}

func hubByPath(p string) (hub, bool) {
	for _, h := range hubs {
		if p == h.path || p == h.path+"/" {
			return h, true
		}
	}
	return hub{}, false
}

type searchPage struct {
	Title             string `json:"title"`
	Description       string `json:"description"`
	HeadingTitle      string `json:"headingTitle"`
	Image             string `json:"image"`
	ReadingTime       string `json:"readingTime"`
	HighlightInSearch bool   `json:"highlightInSearch"`
	PageDate          string `json:"pageDate"`
	PageType          string `json:"pageType"`
	Link              string `json:"link"`
}

var pageTypes = map[string]string{"news": "news", "press-release": "Press Release", "transcript": "Transcript", "official-text": "Official Text"}

// search answers a hub's JSON endpoint: its items newest first, pageSize
// (default 15, at most 50) a page, page 1-based.
func (s *Site) search(h hub, q url.Values) (resource, bool) {
	if s.opt.JSONAnswersHTML {
		p := s.newPage("Verification", h.path, "captcha-page", s.listMod)
		return s.html("new-notfound", p, s.listMod)
	}
	size, _ := strconv.Atoi(q.Get("pageSize"))
	if size <= 0 {
		size = 15
	}
	size = min(size, 50)
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	var all []*entry
	for _, e := range s.entries {
		for _, k := range h.kinds {
			if e.Kind == k {
				all = append(all, e)
			}
		}
	}
	out := struct {
		Pages         []searchPage `json:"pages"`
		NumberOfPages int          `json:"numberOfPages"`
	}{Pages: []searchPage{}, NumberOfPages: (len(all) + size - 1) / size}
	for i := (page - 1) * size; i < len(all) && i < page*size; i++ {
		e := all[i]
		v := s.view(e, "", i)
		sp := searchPage{Title: v.Heading, Description: e.summary, HeadingTitle: e.Title,
			Image: "/content/dam/nato/" + e.Slug + ".jpg", ReadingTime: "2 MIN READ",
			PageDate: e.Date.Format("02 January 2006"), PageType: pageTypes[e.Kind], Link: e.path}
		if e.Kind == "transcript" {
			sp.Title += " " // as the real endpoint spells "Speech "
			sp.Description = e.Byline
		}
		if i%2 == 1 {
			sp.Link += "?selectedLocale=null"
		}
		out.Pages = append(out.Pages, sp)
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(fmt.Sprintf("fakenato: search: %v", err)) // plain structs: a bug here
	}
	return resource{body: b, ctype: "application/json;charset=utf-8", modified: s.listMod}, true
}

// sitemapCache holds the rendered sitemap, plain and gzipped, for the
// state it was rendered in: rendering and compressing 10 MB per request
// would make every test slow.
type sitemapCache struct {
	filler     []byte    // the generated archive's <url> entries
	at         time.Time // siteMod when plain was rendered
	plain, gz  []byte
	etag, gzEt string
}

// Archive adds n generated old URLs to the sitemap, as the real one lists
// the whole site back to the 1940s: dated items with generic slugs that
// recur, event pages with only a month. Their pages are not served. About
// 60,000 make a sitemap of about 10 MB.
func (s *Site) Archive(n int) {
	base := s.URL()
	var b bytes.Buffer
	slugs := []string{"statement", "press-conference", "keynote-speech", "doorstep-statement", "press-point",
		"nato-secretary-general-meets-the-prime-minister-of", "allies-discuss---the-situation-in", "news-item"}
	start := time.Date(1946, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Now().AddDate(0, -2, 0).Sub(start)
	for i := range n {
		d := start.Add(time.Duration(int64(span) / int64(max(n, 1)) * int64(i))).UTC()
		slug := slugs[i%len(slugs)]
		var p string
		switch i % 5 {
		case 0:
			p = "/en/news-and-events/events/transcripts/" + d.Format("2006/01/02") + "/" + slug
		case 1:
			p = "/en/news-and-events/articles/news/" + d.Format("2006/01/02") + "/" + slug
		case 2:
			p = "/en/about-us/official-texts-and-resources/official-texts/" + d.Format("2006/01/02") + "/" + slug
		case 3:
			p = "/en/news-and-events/events/" + d.Format("2006/01") + "/" + slug + "-" + strconv.Itoa(i)
		default:
			p = "/fr/news-and-events/articles/news/" + d.Format("2006/01/02") + "/" + slug
		}
		lastmod := ""
		if i%3 != 0 { // lastmod is not always there
			lastmod = "\n    <lastmod>" + d.Format("2006-01-02") + "</lastmod>"
		}
		fmt.Fprintf(&b, "  <url>\n    <loc>%s</loc>%s\n    <changefreq>never</changefreq>\n  </url>\n", xmlText(base+p), lastmod)
	}
	// Recent events, with only a month in their URLs.
	now := time.Now().UTC()
	for i := range 3 {
		fmt.Fprintf(&b, "  <url>\n    <loc>%s</loc>\n    <lastmod>%s</lastmod>\n  </url>\n",
			xmlText(base+"/en/news-and-events/events/"+now.Format("2006/01")+"/nato-summit-"+strconv.Itoa(i)), now.Format(time.RFC3339))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sm.filler = b.Bytes()
	s.siteMod = s.tick()
}

// sitemapResource is the sitemap, gzipped when the client accepts it.
func (s *Site) sitemapResource(base string, gz bool) resource {
	c := &s.sm
	if c.plain == nil || !c.at.Equal(s.siteMod) {
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		u := func(loc, lastmod string) {
			fmt.Fprintf(&b, "  <url>\n    <loc>%s</loc>\n    <lastmod>%s</lastmod>\n  </url>\n", xmlText(base+loc), lastmod)
		}
		u("/en", s.started.Format("2006-01-02"))
		u("/en/about-us", s.started.Format("2006-01-02"))
		u("/en/search", s.started.Format("2006-01-02"))
		for _, h := range hubs {
			u(h.path, s.listMod.Format(time.RFC3339))
		}
		for _, e := range s.entries {
			u(e.path, e.modified.Format(time.RFC3339))
		}
		b.Write(c.filler)
		b.WriteString("</urlset>\n")
		c.plain, c.at, c.gz = b.Bytes(), s.siteMod, nil
		sum := sha256.Sum256(c.plain)
		c.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
		c.gzEt = `"` + hex.EncodeToString(sum[:12]) + `-gzip"`
	}
	res := resource{body: c.plain, ctype: "application/xml; charset=utf-8", modified: s.siteMod, etag: c.etag}
	if !gz {
		return res
	}
	if c.gz == nil {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(c.plain)
		zw.Close()
		c.gz = b.Bytes()
	}
	res.body, res.etag, res.encoding = c.gz, c.gzEt, "gzip"
	return res
}

// encodePage re-encodes a rendered UTF-8 page in charset ("" leaves it),
// declared in the Content-Type header, or only in <meta charset>.
func encodePage(res resource, charset string, metaOnly bool) resource {
	if charset != "windows-1252" {
		return res
	}
	body := bytes.Replace(res.body, []byte(`<meta charset="UTF-8">`), []byte(`<meta charset="windows-1252">`), 1)
	// What windows-1252 cannot hold becomes a character reference.
	b, err := encoding.HTMLEscapeUnsupported(charmap.Windows1252.NewEncoder()).Bytes(body)
	if err != nil {
		panic(fmt.Sprintf("fakenato: windows-1252: %v", err))
	}
	res.body = b
	res.ctype = "text/html; charset=windows-1252"
	if metaOnly {
		res.ctype = "text/html"
	}
	return res
}

// dialogRunIn is dialog text run into an article's paragraph (DialogInBody).
const dialogRunIn = "Create an account. Check your inbox and enter verification code. "

// dialogs is the text of the login and newsletter dialogs every page of the
// new site carries, hidden, before the article (in bare divs, with no
// telling class names).
var dialogs = []template.HTML{
	"<b>NATO MULTIMEDIA ACCOUNT</b>",
	"Access NATO's broadcast-quality video content free of charge",
	"<b>Create an account</b>",
	"Check your inbox and enter verification code",
	"<b>Subscribe to our newsletter</b>",
	"<b>Reset password</b>",
	"The password must be at least 12 characters long, with upper and lower case letters, a number and a symbol.",
	"Your password was changed. Please log in with your new password.",
}
