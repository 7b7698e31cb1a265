package fakenato

import (
	"bytes"
	"embed"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

//go:embed templates/*.html
var templateFS embed.FS

type templates struct{ t *template.Template }

func parseTemplates() (*templates, error) {
	t, err := template.ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("fakenato: templates: %w", err)
	}
	return &templates{t}, nil
}

// resource is one rendered answer.
type resource struct {
	body     []byte
	ctype    string
	modified time.Time
	etag     string // "" to derive it from body
	encoding string // Content-Encoding, if any
}

const (
	hubPath     = "/en/news-and-events/articles/news"
	legacyList  = "/cps/en/natohq/news.htm"
	rssPath     = "/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml"
	publicList  = "/publicnow/issuer/nato"
	sitemapPath = "/sitemap.xml"
	htmlType    = "text/html; charset=utf-8"
)

// page is what the HTML templates see.
type page struct {
	Base        string
	Title       string // <title>
	Heading     string
	Description string
	Path        string
	FrPath      string
	Template    string
	Modify      string
	BodyClass   string
	Year        int
	Crumbs      []crumb
	It          *view
	Items       []view
	Endpoint    string // an app-shell hub: its JSON search endpoint
	// DialogInBody puts the dialog text inside the article (a broken page).
	DialogInBody bool
	Dialogs      []template.HTML
}

type crumb struct {
	Href, Label string
	Current     bool
}

// view is an entry as the templates show it.
type view struct {
	Kind, Slug, Title, Summary, TypeLabel, Reference string
	Path, URL, HubHref                               string
	LegacyHref, LegacyURL                            string
	PublicURL, PublicHref                            string
	Shown, LegacyDate, Updated, RSSDate              string
	PublicDate, PublicStamp                          string
	DisclaimerDate, DisclaimerStamp                  string
	Speaker, SpeakerLabel, Byline, Long, Heading     string
	Paragraphs, First, Second                        []string
	Lead                                             string
}

// route renders what r asks for. The caller holds s.mu. found is false
// for a 404, whose page is in res.body.
func (s *Site) route(r *http.Request) (res resource, found bool) {
	path := r.URL.Path
	base := s.URL()
	if h, ok := hubBySearchPath(path); ok {
		return s.search(h, r.URL.Query())
	}
	if h, ok := hubByPath(path); ok && !(s.opt.HubListsItems && h.path == hubPath) {
		p := s.newPage(h.title, h.path, "search-page", s.listMod)
		p.Crumbs = crumbs("/en", "Home", "/en/news-and-events", "News and events", "", h.title)
		p.Heading, p.Endpoint = h.title, searchPath(h)
		return s.html("new-hub-shell", p, s.listMod)
	}
	switch path {
	case "/robots.txt":
		body := "User-agent: *\nDisallow: /content/dam/\nDisallow: /cps/en/natohq/search.htm\n\nSitemap: " + base + sitemapPath + "\n"
		return resource{body: []byte(body), ctype: "text/plain; charset=utf-8", modified: s.started}, true
	case sitemapPath:
		return s.sitemapResource(base, strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")), true
	case hubPath, hubPath + "/":
		p := s.newPage("News", hubPath, "listing-page", s.listMod)
		p.Crumbs = crumbs("/en", "Home", "/en/news-and-events", "News and events", "", "News")
		p.Items = s.views(base)
		return s.html("new-hub", p, s.listMod)
	case legacyList:
		p := page{Base: base, Title: "NATO - News", Heading: "News", Description: "NATO news", Path: legacyList,
			FrPath: "/cps/fr/natohq/news.htm", BodyClass: "listing", Year: s.listMod.Year(),
			Crumbs: crumbs("/cps/en/natohq/index.htm", "Home", "", "News")}
		p.Items = s.views(base)
		return s.html("legacy-listing", p, s.listMod)
	case rssPath:
		return resource{body: s.rss(base), ctype: "application/rss+xml; charset=utf-8", modified: s.listMod}, true
	case publicList:
		p := page{Base: base, Title: "NATO - North Atlantic Treaty Organisation - Public",
			Description: "Latest releases from NATO - North Atlantic Treaty Organisation, distributed by Public"}
		p.Items = s.views(base)
		return s.html("public-listing", p, s.listMod)
	}
	if hexID, ok := strings.CutPrefix(path, "/view/"); ok {
		for _, e := range s.entries {
			if e.hex == hexID {
				v := s.view(e, base, 0)
				p := page{Base: base, Title: "NATO - North Atlantic Treaty Organisation : " + e.Title + " | Public", Description: e.summary, It: &v}
				return s.html("public-view", p, e.modified)
			}
		}
	}
	if e := s.legacyEntry(path); e != nil {
		v := s.view(e, base, 0)
		kind := map[string]string{"news": "News", "press-release": "News", "transcript": "Opinion", "official-text": "Official text"}[e.Kind]
		p := page{Base: base, Title: "NATO - " + kind + ": " + e.Title + ", " + v.LegacyDate, Heading: e.Title,
			Description: e.summary, Path: legacyPath(e), FrPath: strings.Replace(legacyPath(e), "/cps/en/", "/cps/fr/", 1),
			BodyClass: e.Kind, Year: e.Date.Year(), It: &v,
			Crumbs: crumbs("/cps/en/natohq/index.htm", "Home", legacyList, "News", "", e.Title)}
		return s.html("legacy-item", p, e.modified)
	}
	for _, e := range s.entries {
		if e.path == path || e.path+"/" == path {
			v := s.view(e, base, 0)
			p := s.newPage(v.Heading, e.path, e.Kind+"-page", e.modified)
			p.Description, p.It = e.summary, &v
			p.Crumbs = crumbs("/en", "Home", "/en/news-and-events", "News and events", "", v.Title)
			if p.DialogInBody = s.opt.DialogInBody; p.DialogInBody {
				// A broken render: the dialogs among the article's text, and
				// their words run into its first paragraph, where no
				// extractor can tell them apart.
				for _, ps := range [][]string{v.Paragraphs, v.First} {
					if len(ps) > 0 {
						ps[0] = dialogRunIn + ps[0]
					}
				}
			}
			res, found = s.html("new-item", p, e.modified)
			return encodePage(res, e.Charset, e.MetaCharset), found
		}
	}
	p := s.newPage("Page not found", "/en/404", "error-page", s.started)
	res, _ = s.html("new-notfound", p, s.started)
	return res, false
}

func (s *Site) newPage(title, path, tpl string, mod time.Time) page {
	return page{Base: s.URL(), Title: title, Description: title, Path: path, FrPath: "/fr" + strings.TrimPrefix(path, "/en"),
		Template: "/conf/nato/settings/wcm/templates/" + tpl, Modify: mod.Format(time.RFC3339), Dialogs: dialogs}
}

func (s *Site) html(name string, p page, mod time.Time) (resource, bool) {
	var b bytes.Buffer
	if err := s.tpl.t.ExecuteTemplate(&b, name, p); err != nil {
		// Templates are fixed and tested: this is a bug in this package.
		panic(fmt.Sprintf("fakenato: render %s: %v", name, err))
	}
	return resource{body: b.Bytes(), ctype: htmlType, modified: mod}, true
}

// crumbs pairs href, label; the last pair is the current page.
func crumbs(kv ...string) []crumb {
	var out []crumb
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, crumb{Href: kv[i], Label: kv[i+1], Current: i+2 >= len(kv)})
	}
	return out
}

func (s *Site) views(base string) []view {
	out := make([]view, 0, len(s.entries))
	for i, e := range s.entries {
		out = append(out, s.view(e, base, i))
	}
	return out
}

// view renders an entry's fields; i (its position in a listing) picks one of
// the link spellings real listings mix.
func (s *Site) view(e *entry, base string, i int) view {
	d := e.Date
	v := view{
		Kind: e.Kind, Slug: e.Slug, Title: e.Title, Summary: e.summary,
		Path: e.path, URL: base + e.path, HubHref: e.path,
		LegacyURL: base + legacyPath(e), PublicURL: base + "/view/" + e.hex,
		Shown: natoDate(d), LegacyDate: fmt.Sprintf("%02d-%s.-%d", d.Day(), d.Month().String()[:3], d.Year()),
		Updated: natoDate(e.modified) + e.modified.Format(" 15:04"), RSSDate: natoDate(d) + " 12:00:00 GMT",
		PublicDate: d.Format("01/02/2006"), PublicStamp: d.Format("01/02/2006 15:04"),
		DisclaimerDate: d.Format("02 January 2006"), DisclaimerStamp: d.Format("02 January 2006 15:04:05"),
		Speaker: e.Speaker, SpeakerLabel: speakerLabel(e.Speaker), Paragraphs: e.Paragraphs,
		Byline: e.Byline, Long: d.Format("02 January 2006"), Heading: e.Title,
	}
	name := legacyName(e)
	switch i % 4 {
	case 0:
		v.LegacyHref = name
	case 1:
		v.LegacyHref = "/cps/en/natohq/" + name + "?selectedLocale=en"
	case 2:
		v.LegacyHref = "/cps/en/SID-85AA360E-7DC3EE4E/natohq/" + name
	default:
		v.LegacyHref = base + "/cps/en/natohq/" + name
		v.HubHref = base + e.path
	}
	v.PublicHref = v.PublicURL
	if i%2 == 1 {
		v.PublicHref += "?" + strconv.FormatInt(d.Unix(), 10)
	}
	switch e.Kind {
	case "news":
		v.TypeLabel = "News"
		if len(e.Paragraphs) > 0 {
			v.Lead = e.Paragraphs[0]
			rest := e.Paragraphs[1:]
			half := (len(rest) + 1) / 2
			v.First, v.Second = rest[:half], rest[half:]
		}
	case "press-release":
		v.TypeLabel = "Press Release"
		v.Reference = fmt.Sprintf("Press Release (%d) %03d", d.Year(), 100+e.legacyN%900)
	case "transcript":
		// The new site's title is only the kind; the by-line says who.
		v.TypeLabel = transcriptType(e.Title)
		v.Heading = v.TypeLabel
	case "official-text":
		v.TypeLabel = "Official text"
		v.Reference = fmt.Sprintf("Press Release (%d) %03d", d.Year(), 100+e.legacyN%900)
	}
	return v
}

func natoDate(t time.Time) string {
	return fmt.Sprintf("%02d %s. %d", t.Day(), t.Month().String()[:3], t.Year())
}

func legacyName(e *entry) string {
	prefix := map[string]string{"news": "news_", "press-release": "news_", "transcript": "opinions_", "official-text": "official_texts_"}[e.Kind]
	return prefix + strconv.Itoa(e.legacyN) + ".htm"
}

func legacyPath(e *entry) string { return "/cps/en/natohq/" + legacyName(e) }

// legacyEntry finds the entry a /cps/ item path names, in any of its
// spellings (session segment, natolive or natohq).
func (s *Site) legacyEntry(path string) *entry {
	rest, ok := strings.CutPrefix(path, "/cps/en/")
	if !ok {
		return nil
	}
	if strings.HasPrefix(rest, "SID-") {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[i+1:]
		}
	}
	for _, dir := range []string{"natohq/", "natolive/"} {
		if name, ok := strings.CutPrefix(rest, dir); ok {
			for _, e := range s.entries {
				if legacyName(e) == name {
					return e
				}
			}
		}
	}
	return nil
}

func transcriptType(title string) string {
	t := strings.ToLower(title)
	switch {
	case strings.Contains(t, "press conference"):
		return "Press conference"
	case strings.Contains(t, "press point"):
		return "Press point"
	case strings.Contains(t, "doorstep"):
		return "Doorstep statement"
	}
	return "Speech"
}

// speakerLabel turns "NATO Secretary General Mark Rutte" into the legacy
// "Mark Rutte [NATO Secretary General]:".
func speakerLabel(speaker string) string {
	f := strings.Fields(speaker)
	if len(f) < 3 {
		return speaker + ":"
	}
	return strings.Join(f[len(f)-2:], " ") + " [" + strings.Join(f[:len(f)-2], " ") + "]:"
}

// summarize is the listing summary: the first paragraph, cut at a word
// boundary near 160 characters.
func summarize(paras []string) string {
	if len(paras) == 0 {
		return ""
	}
	p := strings.TrimSpace(paras[0])
	if len(p) <= 160 {
		return p
	}
	cut := strings.LastIndexByte(p[:160], ' ')
	if cut < 80 {
		cut = 160
		for cut > 0 && p[cut]&0xC0 == 0x80 {
			cut--
		}
	}
	return p[:cut] + "…"
}

func slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// rss is the legacy feed, with NATO's odd pubDate ("19 Sep. 2025 12:00:00 GMT").
func (s *Site) rss(base string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="/cps/rss/en/natohq/rssFeed.xsl"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>NATO - News</title>
`)
	fmt.Fprintf(&b, "<link>%s</link>\n<description>NATO news, speeches and press releases</description>\n<language>en</language>\n", xmlText(base+legacyList))
	fmt.Fprintf(&b, "<atom:link href=\"%s\" rel=\"self\" type=\"application/rss+xml\"/>\n", xmlText(base+rssPath))
	for i, e := range s.entries {
		v := s.view(e, base, i)
		fmt.Fprintf(&b, "<item>\n<title>%s</title>\n<link>%s</link>\n<description>%s</description>\n<guid>%s</guid>\n<pubDate>%s</pubDate>\n</item>\n",
			xmlText(e.Title), xmlText(v.LegacyURL), xmlText("<p>"+template.HTMLEscapeString(e.summary)+"</p>"), xmlText(v.LegacyURL), v.RSSDate)
	}
	b.WriteString("</channel>\n</rss>\n")
	return []byte(b.String())
}
