package scraper

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/natowatch/natowatch/release"
	"golang.org/x/net/html"
)

// Selectors compiled once (goquery's Find compiles its argument on every
// call).
var (
	selCanonical = cascadia.MustCompile(`link[rel="canonical"]`)
	selBody      = tagMatcher("body")
	selLink      = tagMatcher("link")
	selTitleTag  = tagMatcher("title")
	selH1        = tagMatcher("h1")
	selMeta      = tagMatcher("meta")
	selOGTitle   = cascadia.MustCompile(`meta[property="og:title"]`)
	selTitles    = compileAll("main h1", "article h1", "h1.fs-huge", "h1") // all h1s: matched against selH1's nodes
	selDateMetas = compileAll(`meta[property="article:published_time"]`, `meta[name="date"]`, `meta[name="dcterms.date"]`, `meta[itemprop="datePublished"]`)
)

// firstMatch is the first of nodes that m matches, nil if none: what
// goquery's First gives when nodes are every element m can match, in
// document order.
func firstMatch(nodes []*html.Node, m cascadia.Selector) *html.Node {
	for _, n := range nodes {
		if m.Match(n) {
			return n
		}
	}
	return nil
}

// attrOf is goquery's Attr for one node.
func attrOf(n *html.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// ErrNoContent is returned when a page yields no sensible article text.
var ErrNoContent = errors.New("no article text found")

// minBodyChars is the least text an article must have to be one.
const minBodyChars = 100

// Article is what extraction finds on one page.
type Article struct {
	Title     string
	Published time.Time
	Type      release.Type // "" when the page does not tell
	Reference string
	Speakers  []string
	Body      []string
	Canonical string // <link rel=canonical>, resolved, when present
	// Truncated is set for an HTML page that never closes </html>: most
	// likely cut off on the way, so its text is not the whole text.
	Truncated bool
}

// Extract parses an item page (HTML, or plain text as Public distributes it)
// fetched from pageURL. It uses the selectors known for nato.int (new and
// /cps/) and Public first, and a readability-style search for the main text
// second. It never returns an article with an empty body.
func Extract(body []byte, pageURL, contentType string) (*Article, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", pageURL, err)
	}
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	var a *Article
	if strings.HasPrefix(contentType, "text/plain") {
		a = extractPublicText(string(body))
	} else {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("extract %s: %w", pageURL, err)
		}
		a = extractHTML(doc, base)
	}
	finish(a, base)
	a.Truncated = !strings.HasPrefix(contentType, "text/plain") && truncatedHTML(body)
	if n := joinedLen(a.Body); n < minBodyChars {
		return nil, fmt.Errorf("extract %s: %w (%d paragraphs, %d characters)", pageURL, ErrNoContent, len(a.Body), n)
	}
	if a.Title == "" {
		return nil, fmt.Errorf("extract %s: no title found", pageURL)
	}
	return a, nil
}

// pageNodes are the elements extraction reads before it removes the
// page's noise: each list is what goquery's Find would give for its
// selector. Those always read are found in one walk, the others when
// needed.
type pageNodes struct {
	doc                       *goquery.Document
	links, h1s, metas, bodies []*html.Node
}

func findPageNodes(doc *goquery.Document) *pageNodes {
	l := findAll(doc, selLink, selH1, selMeta, selBody)
	return &pageNodes{doc: doc, links: l[0], h1s: l[1], metas: l[2], bodies: l[3]}
}

func (pn *pageNodes) find(m cascadia.Selector) []*html.Node { return pn.doc.FindMatcher(m).Nodes }

func extractHTML(doc *goquery.Document, base *url.URL) *Article {
	a := &Article{}
	pn := findPageNodes(doc)
	if href, ok := attrOf(firstMatch(pn.links, selCanonical), "href"); ok && strings.TrimSpace(href) != "" {
		a.Canonical = Canonical(href, base)
	}
	a.Title = pageTitle(pn)
	a.Published = pageDate(pn, base)
	body := doc.FindNodes(pn.bodies...)
	if textContains(body.Nodes, "Press Release (") {
		// (The text is built only for a page that has a reference.)
		a.Reference = reference.FindString(body.Text())
	}
	// Block-level text: minified pages have no newlines between blocks.
	if mayHavePublicHeader(body) {
		if pub := publicHeader(strings.Join(paragraphs(body), "\n")); pub != nil {
			// A page distributed by Public: the header line gives date and type.
			a.Published, a.Type = pub.date, pub.typ
			if pub.title != "" {
				a.Title = pub.title
			}
		}
	}
	removeNoise(doc)
	a.Body = mainText(doc)
	a.Body = dropLeadIn(a.Body, a.Title)
	a.Speakers = turnSpeakers(a.Body)
	if pub := publicHeader(strings.Join(a.Body, "\n")); pub != nil {
		// Public repeats issuer, header line and title above the text.
		for i, p := range a.Body {
			if publicLine.MatchString(p) {
				a.Body = dropLeadIn(a.Body[i+1:], a.Title)
				break
			}
		}
	}
	return a
}

// mayHavePublicHeader reports whether the text of body holds "Distributed
// by Public", white space aside: publicHeader finds nothing otherwise, so
// the paragraphs of the whole page need not be built for it.
func mayHavePublicHeader(body *goquery.Selection) bool {
	return bytes.Contains(stripped(nil, body.Nodes), []byte("DistributedbyPublic"))
}

// truncatedHTML reports a document that opens <html> and never closes it.
func truncatedHTML(b []byte) bool {
	tail := b[max(0, len(b)-4096):]
	return containsFoldASCII(b[:min(len(b), 4096)], "<html") && !containsFoldASCII(tail, "</html")
}

// finish fills what the text and the URL tell, once the body is known.
func finish(a *Article, base *url.URL) {
	text := strings.Join(a.Body, "\n")
	if a.Reference == "" {
		a.Reference = reference.FindString(text)
	}
	if a.Type == "" {
		a.Type = typeFromURL(base)
	}
	if a.Type == "" && a.Reference != "" {
		a.Type = release.TypePressRelease
	}
	if a.Published.IsZero() {
		if t, ok := DateFromURL(base.String()); ok {
			a.Published = t
		}
	}
	if len(a.Speakers) == 0 {
		if s := speakerFromTitle(a.Title); s != "" {
			a.Speakers = []string{s}
		} else if m := findByLine(text); m != nil {
			a.Speakers = []string{strings.TrimSpace(m[1])}
		}
	}
	if (a.Type == "" || a.Type == release.TypePressRelease || a.Type == release.TypeOther) && speechTitle.MatchString(a.Title) {
		// Public calls everything a press release; the title knows better.
		a.Type = release.TypeSpeech
	}
	a.Speakers = mainSpeakerFirst(a.Speakers, a.Title)
}

// findByLine is byLine.FindStringSubmatch(text): a match needs a line that
// starts with "by ", and most texts have none.
func findByLine(text string) []string {
	if !strings.HasPrefix(text, "by ") && !strings.Contains(text, "\nby ") {
		return nil
	}
	return byLine.FindStringSubmatch(text)
}

// roleLabel is the /cps/ site's "Name [Role]" speaker label.
var roleLabel = regexp.MustCompile(`^(.+?)\s*\[(.+?)\]$`)

// mainSpeakerFirst rewrites "Jens Stoltenberg [NATO Secretary General]" as
// "NATO Secretary General Jens Stoltenberg" and puts the speaker the title
// names first.
func mainSpeakerFirst(speakers []string, title string) []string {
	out := make([]string, 0, len(speakers))
	for _, s := range speakers {
		if m := roleLabel.FindStringSubmatch(s); m != nil {
			s = m[2] + " " + m[1]
		}
		out = append(out, s)
	}
	named := speakerFromTitle(title)
	for i, s := range out {
		if named != "" && i > 0 && (strings.Contains(named, lastWord(s)) || strings.Contains(s, lastWord(named))) {
			copy(out[1:i+1], out[:i])
			out[0] = s
			break
		}
	}
	return out
}

func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "\x00"
	}
	return f[len(f)-1]
}

var (
	reference   = regexp.MustCompile(`Press Release \(\d{4}\) \d+(?:-[A-Z]+)?`)
	byLine      = regexp.MustCompile(`(?m)^by ((?:NATO |the )?[A-Z][^\n,]{3,80})$`)
	speechTitle = regexp.MustCompile(`(?i)^(?:(?:opening |closing |keynote |introductory )?(?:remarks|speech|statement|press (?:point|conference|briefing)|doorstep(?: statement)?|joint press (?:point|conference)|interview|transcript|video message|address|lecture|pre-ministerial press conference)\b)`)
	titleBy     = regexp.MustCompile(`\bby ((?:NATO |the )?(?:[A-Z][\p{L}.'’-]*\s?){2,9}?)(?:\s+(?:at|in|on|to|following|after|during|before|with|ahead|for)\b|,|$)`)
)

// speakerFromTitle finds "… by NATO Secretary General Mark Rutte at …".
func speakerFromTitle(title string) string {
	if !speechTitle.MatchString(title) {
		return ""
	}
	if m := titleBy.FindStringSubmatch(title); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

func typeFromURL(u *url.URL) release.Type {
	p := strings.ToLower(u.Path)
	switch {
	case strings.Contains(p, "/events/transcripts/"), strings.Contains(p, "/opinions_"), strings.Contains(p, "/speeches/"):
		return release.TypeSpeech
	case strings.Contains(p, "/official-texts/"), strings.Contains(p, "/official_texts_"):
		return release.TypeOfficialText
	case strings.Contains(p, "/press-releases/"), strings.Contains(p, "/press_releases"):
		return release.TypePressRelease
	case strings.Contains(p, "/articles/news/"), strings.Contains(p, "/news_"):
		return release.TypeNews
	}
	return ""
}

var titleSuffix = regexp.MustCompile(`^(?:NATO\s*-\s*(?:[\p{L} ]+:\s*)?)?(.+?)(?:,\s*\d{1,2}-[A-Za-z]{3,5}\.?-\d{4})?(?:\s*[|–-]\s*NATO(?: - North Atlantic Treaty Organi[sz]ation)?)?$`)

func pageTitle(pn *pageNodes) string {
	for _, sel := range selTitles {
		if n := firstMatch(pn.h1s, sel); n != nil {
			if t := clean(nodeText(n)); t != "" {
				return t
			}
		}
	}
	if t, ok := attrOf(firstMatch(pn.metas, selOGTitle), "content"); ok && clean(t) != "" {
		return clean(t)
	}
	t := clean(firstText(pn.find(selTitleTag)))
	if m := titleSuffix.FindStringSubmatch(t); m != nil {
		return strings.TrimSpace(m[1])
	}
	return t
}

var legacyTitleDate = regexp.MustCompile(`,\s*(\d{1,2}-[A-Za-z]{3,5}\.?-\d{4})\s*$`)

func pageDate(pn *pageNodes, base *url.URL) time.Time {
	for _, sel := range selDateMetas {
		if v, ok := attrOf(firstMatch(pn.metas, sel), "content"); ok {
			if t, err := ParseDate(v); err == nil {
				return t
			}
		}
	}
	if t, ok := DateFromURL(base.String()); ok {
		return t
	}
	var found time.Time
	for _, n := range pn.find(timesMatcher) {
		v, _ := attrOf(n, "datetime")
		if t, err := ParseDate(v); err == nil {
			found = t
			break
		}
	}
	if !found.IsZero() {
		return found
	}
	if m := legacyTitleDate.FindStringSubmatch(firstText(pn.find(selTitleTag))); m != nil {
		if t, err := ParseDate(m[1]); err == nil {
			return t
		}
	}
	// A date line near the top of the text ("24 May. 2017 -", "26 Nov. 2026").
	var buf []byte
	for i, n := range pn.find(dateLinesMatcher) {
		if i > 200 {
			break
		}
		// Only short lines are read: a block's text is not built past 40
		// bytes.
		txt, short, b := cleanText(n, 40, buf)
		buf = b
		if !short || len(txt) < 6 || strings.Contains(strings.ToLower(txt), "updated") {
			continue
		}
		if t, err := ParseDate(txt); err == nil {
			found = t
			break
		}
	}
	return found
}

// firstText is the text of the first node, "" when there is none:
// goquery's First().Text().
func firstText(nodes []*html.Node) string {
	if len(nodes) == 0 {
		return ""
	}
	return nodeText(nodes[0])
}

// turnSpeakers collects the speakers of a transcript's turns: paragraphs
// that start with a label ("NATO Secretary General Mark Rutte:", "Jens
// Stoltenberg [NATO Secretary General]:"), leaving out questions and
// moderators' generic labels. Bold labels became such paragraphs already.
func turnSpeakers(body []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range body {
		label, _, ok := strings.Cut(p, ":")
		if !ok || len(label) > 100 {
			continue
		}
		label = strings.TrimSpace(label)
		if !isSpeakerLabel(label) || seen[label] {
			continue
		}
		seen[label] = true
		out = append(out, label)
	}
	return out
}

var notSpeaker = regexp.MustCompile(`(?i)^(question|q|answer|a|moderator|journalist|audience|note|editor|related|share|more|read more|press release|speech)\b`)

func isSpeakerLabel(s string) bool {
	n := len(strings.Fields(s))
	if n < 2 || n > 12 || notSpeaker.MatchString(s) {
		return false
	}
	// Names and roles: every word capitalised, connectors aside; what is
	// in brackets or parentheses is free.
	depth := 0
	for _, w := range strings.Fields(s) {
		free := depth > 0
		depth += strings.Count(w, "[") + strings.Count(w, "(") - strings.Count(w, "]") - strings.Count(w, ")")
		if free || strings.HasPrefix(w, "[") || strings.HasPrefix(w, "(") {
			continue
		}
		if strings.ContainsAny(w, ".?!") && len(w) > 3 || !(labelConnector[w] || unicode.IsUpper(firstRuneOf(w))) {
			return false
		}
	}
	return true
}

var labelConnector = map[string]bool{"of": true, "the": true, "for": true, "and": true, "de": true, "van": true,
	"von": true, "der": true, "den": true, "du": true, "la": true, "le": true, "di": true, "da": true, "to": true, "on": true, "at": true}

func firstRuneOf(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// dropLeadIn removes the paragraphs a body repeats from the page's header:
// the title again, type lines, date lines, "(As delivered)".
func dropLeadIn(body []string, title string) []string {
	out := body[:0]
	for i, p := range body {
		if i < 8 && (p == title || leadIn.MatchString(p)) {
			continue
		}
		if i < 8 && len(p) < 40 {
			if _, err := ParseDate(p); err == nil {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

var leadIn = regexp.MustCompile(`(?i)^(?:press release \(\d{4}\) \d+.{0,60}|\(as delivered\)|\(as prepared(?: for delivery)?\)|last updated:?\s.*|press (?:point|conference|release)|speech|news|official text|by (?:NATO |the )?[A-Z].{3,80})$`)
