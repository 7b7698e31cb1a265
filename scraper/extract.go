package scraper

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/natowatch/natowatch/release"
)

// ErrNoContent is returned when a page yields no sensible article text.
var ErrNoContent = errors.New("no article text found")

// minBodyChars is the least text an article must have to be one.
const minBodyChars = 100

// Article is what extraction finds on one page: the release as the page
// tells it (Source, URL and GUID are the caller's to set), and what the
// page says of itself.
type Article struct {
	release.Release
	Canonical string // <link rel=canonical>, resolved, when present
	// Truncated is set for an HTML page that never closes </html>: most
	// likely cut off on the way, so its text is not the whole text.
	Truncated bool

	stated bool // Type is what the page says of itself (a kind line)
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
	body = htmlToUTF8(body, contentType)
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

func extractHTML(doc *goquery.Document, base *url.URL) *Article {
	a := &Article{}
	s := scanPage(doc.Nodes[0])
	if href, ok := attrOf(s.canonical, "href"); ok && strings.TrimSpace(href) != "" {
		a.Canonical = Canonical(href, base)
	}
	var text []byte
	for _, n := range s.bodies {
		text = appendText(text, n)
	}
	var pub *publicMeta
	if strings.Contains(clean(string(text)), "Distributed by Public") {
		pub = publicHeader(strings.Join(paragraphNodes(s.bodies), "\n"))
	}
	detach(s.noise)
	// The reference is read once the chrome is gone: a list of related
	// releases names theirs.
	text = text[:0]
	for _, n := range s.bodies {
		text = appendText(text, n)
	}
	a.Reference = reference().FindString(clean(string(text)))
	a.Byline = s.pageByline()
	a.Title = s.pageTitle(a.Byline)
	if k := s.kindLine(); k != "" {
		a.Type, a.stated = k, true
	}
	if pub != nil {
		// A page distributed by Public: the header line gives date and type.
		a.Published, a.Type, a.stated = pub.date, pub.typ, false
		if pub.title != "" {
			a.Title = pub.title
		}
	} else {
		a.Published = s.pageDate(base)
	}
	a.Body = mainText(s)
	if a.Byline == "" {
		a.Byline, _ = bylineIn(a.Body[:min(len(a.Body), leadParas)])
	}
	a.Body = dropRepeats(dropLeadIn(a.Body, a.Title, a.Byline))
	a.Speakers = turnSpeakers(a.Body)
	// Public repeats issuer, header line and title above the text.
	for i, p := range a.Body {
		if strings.Contains(p, "Distributed by Public on") && publicLine().MatchString(p) {
			a.Body = dropLeadIn(a.Body[i+1:], a.Title, a.Byline)
			break
		}
	}
	return a
}

// truncatedHTML reports a document that opens <html> and never closes it.
func truncatedHTML(b []byte) bool {
	head, tail := b[:min(len(b), 4096)], b[max(0, len(b)-4096):]
	return bytes.Contains(bytes.ToLower(head), []byte("<html")) && !bytes.Contains(bytes.ToLower(tail), []byte("</html"))
}

// finish fills what the text and the URL tell, once the body is known.
func finish(a *Article, base *url.URL) {
	if a.Reference == "" {
		a.Reference = findReference(a.Body)
	}
	h1Kind := kindOfLine(a.Title)
	a.Title = cutTitle(titleWithByline(a.Title, a.Byline))
	urlType := typeFromURL(base)
	if a.Type == "" && h1Kind != "" {
		// A transcript's h1 that is only its kind ("Press conference").
		a.Type, a.stated = h1Kind, true
	}
	if a.stated && a.Type == release.TypeOfficialText && urlType == release.TypeSpeech {
		// "Statement" on a transcript is a speaker's, not the Council's.
		a.Type = release.TypeSpeech
	}
	if a.Type == "" {
		a.Type = urlType
		if a.Reference != "" && a.Type != release.TypeOfficialText {
			// The page's reference says press release, whatever the
			// section; official texts carry one too.
			a.Type = release.TypePressRelease
		}
	}
	if a.Published.IsZero() {
		if t, ok := DateFromURL(base.String()); ok {
			a.Published = t
		}
	}
	speech := speechTitle().MatchString(a.Title)
	if !a.stated && (a.Type == "" || a.Type == release.TypePressRelease || a.Type == release.TypeOther) && speech {
		// Public calls everything a press release; the title knows better.
		a.Type = release.TypeSpeech
	}
	if a.Type == release.TypeSpeech && labelSpeakerLine(a.Body) {
		a.Speakers = turnSpeakers(a.Body)
	}
	named := ""
	if speech {
		named = titleSpeaker(a.Title)
	}
	if len(a.Speakers) == 0 {
		if named != "" {
			a.Speakers = []string{named}
		} else if _, name := bylineIn(a.Body); name != "" {
			a.Speakers = []string{name}
		}
	}
	a.Speakers = mainSpeakerFirst(a.Speakers, named)
}

// findReference is the first press release reference in the paragraphs.
func findReference(ps []string) string {
	for _, p := range ps {
		if m := reference().FindString(p); m != "" {
			return m
		}
	}
	return ""
}

// roleLabel is the /cps/ site's "Name [Role]" speaker label.
var roleLabel = lazyRegexp(`^(.+?)\s*\[(.+?)\]$`)

// mainSpeakerFirst rewrites "Jens Stoltenberg [NATO Secretary General]" as
// "NATO Secretary General Jens Stoltenberg" and puts the speaker the title
// names (named: titleSpeaker, "" if none) first.
func mainSpeakerFirst(speakers []string, named string) []string {
	out := make([]string, 0, len(speakers))
	for _, s := range speakers {
		if m := roleLabel().FindStringSubmatch(s); m != nil {
			s = m[2] + " " + m[1]
		}
		out = append(out, s)
	}
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
	reference   = lazyRegexp(`Press Release \(\d{4}\) \d+(?:-[A-Z]+)?`)
	byLine      = lazyRegexp(`^by ((?:NATO |the )?[A-Z][^\n,]{3,80})$`)
	speechTitle = lazyRegexp(`(?i)^` + speechKinds + `\b`)
	titleBy     = lazyRegexp(`\bby ((?:NATO |the )?(?:[A-Z][\p{L}.'’-]*\s?){2,9}?)(?:\s+(?:at|in|on|to|following|after|during|before|with|ahead|for)\b|,|$)`)
)

// titleSpeaker finds "… by NATO Secretary General Mark Rutte at …" in a
// title that speechTitle matches.
func titleSpeaker(title string) string {
	if m := titleBy().FindStringSubmatch(title); m != nil {
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

var titleSuffix = lazyRegexp(`^(?:NATO\s*-\s*(?:[\p{L} ]+:\s*)?)?(.+?)(?:,\s*\d{1,2}-[A-Za-z]{3,5}\.?-\d{4})?(?:\s*[|–-]\s*NATO(?: - North Atlantic Treaty Organi[sz]ation)?)?$`)

// pageTitle is the first h1 of titlesCSS' that has text, else og:title,
// else <title> without the site's additions. An h1 that is only a kind
// ("Press conference") gives way to a longer og:title or <title> when
// the page has no by-line to complete it.
func (s *pageScan) pageTitle(byline string) string {
	h1 := ""
	for _, n := range s.h1s {
		if n != nil && !s.inDialogBlock(n) {
			if h1 = clean(nodeText(n)); h1 != "" {
				break
			}
		}
	}
	if h1 != "" && (byline != "" || kindOfLine(h1) == "") {
		return h1
	}
	t, _ := attrOf(s.ogTitle, "content")
	if t = clean(t); t == "" {
		t = clean(s.titleText())
		if m := titleSuffix().FindStringSubmatch(t); m != nil {
			t = strings.TrimSpace(m[1])
		}
	}
	if len(t) > len(h1) {
		return t
	}
	return h1
}

// titleText is the text of <title>, "" without one.
func (s *pageScan) titleText() string {
	if s.title == nil {
		return ""
	}
	return nodeText(s.title)
}

var legacyTitleDate = lazyRegexp(`,\s*(\d{1,2}-[A-Za-z]{3,5}\.?-\d{4})\s*$`)

// pageDate is the page's date: the dated URL's (the new site's is
// reliable), the metas', a time element's, the old site's <title>, a date
// line near the top of the text ("25 June 2025", "24 May. 2017 -"), and
// last the month of an event page's URL (/YYYY/MM/slug).
func (s *pageScan) pageDate(base *url.URL) time.Time {
	if t, ok := DateFromURL(base.String()); ok {
		return t
	}
	for _, n := range s.dateMetas {
		if v, ok := attrOf(n, "content"); ok {
			if t, ok := parseDate(v); ok {
				return t
			}
		}
	}
	for _, n := range s.times {
		v, _ := attrOf(n, "datetime")
		if t, ok := parseDate(v); ok {
			return t
		}
	}
	if m := legacyTitleDate().FindStringSubmatch(s.titleText()); m != nil {
		if t, ok := parseDate(m[1]); ok {
			return t
		}
	}
	month, hasMonth := monthFromURL(base.Path)
	for _, n := range s.dateLines {
		txt, short := shortText(n, 40)
		if !short || len(txt) < 6 || strings.Contains(strings.ToLower(txt), "updated") || s.inDialogBlock(n) {
			continue
		}
		if t, ok := parseDate(txt); ok && (!hasMonth || t.Year() == month.Year() && t.Month() == month.Month()) {
			return t
		}
	}
	return month
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

var notSpeaker = lazyRegexp(`(?i)^(question|q|answer|a|moderator|journalist|audience|note|editor|related|share|more|read more|press release|speech)\b`)

func isSpeakerLabel(s string) bool {
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 12 || notSpeaker().MatchString(s) {
		return false
	}
	// Names and roles: every word capitalised, connectors aside; what is
	// in brackets or parentheses is free.
	depth := 0
	for _, w := range words {
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

// leadParas is how many paragraphs open a body: where a page repeats
// its header, and where a by-line in the text stands.
const leadParas = 8

// dropLeadIn removes the paragraphs a body repeats from the page's header:
// the title, the by-line, kind lines, the reference, date lines. (The
// furniture lines, "(As delivered)" among them, never became paragraphs.)
func dropLeadIn(body []string, title, byline string) []string {
	out := body[:0]
	for i, p := range body {
		if i < leadParas && (p == title || p == byline || kindOfLine(p) != "" || leadIn().MatchString(p)) {
			continue
		}
		if i < leadParas && len(p) < 40 {
			if _, ok := parseDate(p); ok {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

var leadIn = lazyRegexp(`(?i)^(?:press release \(\d{4}\) \d+.{0,60}|by (?:NATO |the )?[A-Z].{3,80})$`)
