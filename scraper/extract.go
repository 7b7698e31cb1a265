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
	"github.com/natowatch/natowatch/release"
	"golang.org/x/net/html"
)

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

func extractHTML(doc *goquery.Document, base *url.URL) *Article {
	a := &Article{}
	s := scanPage(doc.Nodes[0])
	if href, ok := attrOf(s.canonical, "href"); ok && strings.TrimSpace(href) != "" {
		a.Canonical = Canonical(href, base)
	}
	a.Title = s.pageTitle()
	ref, public := s.marks.ref, s.marks.public
	var pub *publicMeta
	if public {
		// (publicHeader finds nothing in a page whose text lacks the words.)
		pub = bodyPublicHeader(s.bodies)
	}
	if pub == nil {
		// (A page distributed by Public has its date from the header.)
		a.Published = s.pageDate(base)
	}
	if ref {
		// (The text is built only for a page that has a reference.)
		var b []byte
		for _, n := range s.bodies {
			b = appendText(b, n)
		}
		a.Reference = reference.FindString(string(b))
	}
	if pub != nil {
		// A page distributed by Public: the header line gives date and type.
		a.Published, a.Type = pub.date, pub.typ
		if pub.title != "" {
			a.Title = pub.title
		}
	}
	detach(s.noise)
	a.Body = mainText(s)
	a.Body = dropLeadIn(a.Body, a.Title)
	a.Speakers = turnSpeakers(a.Body)
	if hasPublicLine(a.Body) {
		// Public repeats issuer, header line and title above the text.
		for i, p := range a.Body {
			if strings.Contains(p, "Distributed by Public on") && publicLine.MatchString(p) {
				a.Body = dropLeadIn(a.Body[i+1:], a.Title)
				break
			}
		}
	}
	return a
}

// publicSpan is how many lines a match of publicLine can start before
// the line that holds "Distributed by Public on": its white space (\s*) can
// take in a line break at four places.
const publicSpan = 4

// joinFrom is what publicHeader needs of the lines ps joined by "\n", k
// being the first line holding "Distributed by Public": the lines from
// publicSpan before k. (Lines are clean: not empty, no white space at
// either end.)
func joinFrom(ps []string, k int) string {
	return strings.Join(ps[max(0, k-publicSpan):], "\n")
}

// hasPublicLine is publicHeader(strings.Join(ps, "\n")) != nil: whether
// publicLine matches the lines ps. A match ends with a line holding
// "Distributed by Public on" and starts at most publicSpan lines before.
func hasPublicLine(ps []string) bool {
	for i, p := range ps {
		if strings.Contains(p, "Distributed by Public on") {
			if lo := digitLine(ps, i-publicSpan, i); lo >= 0 && publicLine.MatchString(strings.Join(ps[lo:i+1], "\n")) {
				return true
			}
		}
	}
	return false
}

// bodyPublicHeader is publicHeader of the paragraphs of the bodies joined
// by "\n" (lines), reading no more paragraphs than it needs.
//
// Lines are clean and not empty, so a match of publicLine crosses a line
// break only where its \s* takes in the "\n" (four places), starts with a
// line that starts with a digit, and ends with a line holding "Distributed
// by Public on"; publicHeader's title is the line after. Say line i is the
// first such line with a match ending in it, found in lines i-4 to i,
// starting at line s. A match that starts at an earlier line j (j < s)
// ends after line i (else it had been found), so by line j+4 ≤ s+3, and
// starts after line i-4: none when no line from i-3 to s-1 starts with a
// digit. Then lines up to i+1 are enough, else up to s+4.
func bodyPublicHeader(bodies []*html.Node) *publicMeta {
	var lines []string
	first, last := -1, -1 // the first line holding the words; the last needed
	start := -1           // the line the match starts in, when no earlier one can
	walkParagraphs(bodies, func(p string) bool {
		lines = append(lines, p)
		i := len(lines) - 1
		if first < 0 && strings.Contains(p, "Distributed by Public") {
			first = i
		}
		if last < 0 && strings.Contains(p, "Distributed by Public on") {
			if lo := digitLine(lines, i-publicSpan, i); lo >= 0 {
				w := strings.Join(lines[lo:], "\n")
				if loc := publicLine.FindStringIndex(w); loc != nil {
					start = lo + strings.Count(w[:loc[0]], "\n")
					last = i + 1
					if digitLine(lines, i-publicSpan+1, start-1) >= 0 {
						last, start = max(i+1, start+publicSpan), -1
					}
				}
			}
		}
		return last < 0 || i < last
	})
	if first < 0 {
		return nil
	}
	if start >= 0 {
		// The match is the leftmost: the text from it is enough.
		return publicHeader(strings.Join(lines[start:], "\n"))
	}
	return publicHeader(joinFrom(lines, first))
}

// digitLine is the first of lines lo to hi that starts with a digit, -1
// if none: a match of publicLine starts with such a line.
func digitLine(lines []string, lo, hi int) int {
	for j := max(0, lo); j <= hi && j < len(lines); j++ {
		if c := lines[j][0]; '0' <= c && c <= '9' {
			return j
		}
	}
	return -1
}

// truncatedHTML reports a document that opens <html> and never closes it.
func truncatedHTML(b []byte) bool {
	tail := b[max(0, len(b)-4096):]
	return containsFoldASCII(b[:min(len(b), 4096)], "<html", false) && !containsFoldASCII(tail, "</html", true)
}

// finish fills what the text and the URL tell, once the body is known.
func finish(a *Article, base *url.URL) {
	if a.Reference == "" {
		a.Reference = findReference(a.Body)
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
	speech := isSpeechTitle(a.Title)
	named := ""
	if speech {
		named = titleSpeaker(a.Title)
	}
	if len(a.Speakers) == 0 {
		if named != "" {
			a.Speakers = []string{named}
		} else if m := findByLine(a.Body); m != nil {
			a.Speakers = []string{strings.TrimSpace(m[1])}
		}
	}
	if (a.Type == "" || a.Type == release.TypePressRelease || a.Type == release.TypeOther) && speech {
		// Public calls everything a press release; the title knows better.
		a.Type = release.TypeSpeech
	}
	a.Speakers = mainSpeakerFirst(a.Speakers, named)
}

// findReference is reference.FindString of the paragraphs joined by "\n":
// a match holds no line break, and the first paragraph that holds one holds
// the leftmost.
func findReference(ps []string) string {
	for _, p := range ps {
		if strings.Contains(p, "Press Release (") {
			if m := reference.FindString(p); m != "" {
				return m
			}
		}
	}
	return ""
}

// findByLine is byLine.FindStringSubmatch of the paragraphs joined by "\n"
// (lines): the first line that starts with "by " and matches.
func findByLine(ps []string) []string {
	for _, p := range ps {
		if strings.HasPrefix(p, "by ") {
			if m := byLine.FindStringSubmatch(p); m != nil {
				return m
			}
		}
	}
	return nil
}

// roleLabel is the /cps/ site's "Name [Role]" speaker label.
var roleLabel = regexp.MustCompile(`^(.+?)\s*\[(.+?)\]$`)

// mainSpeakerFirst rewrites "Jens Stoltenberg [NATO Secretary General]" as
// "NATO Secretary General Jens Stoltenberg" and puts the speaker the title
// names (named: titleSpeaker, "" if none) first.
func mainSpeakerFirst(speakers []string, named string) []string {
	out := make([]string, 0, len(speakers))
	for _, s := range speakers {
		// (A match ends with "]".)
		if strings.HasSuffix(s, "]") {
			if m := roleLabel.FindStringSubmatch(s); m != nil {
				s = m[2] + " " + m[1]
			}
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
	reference   = regexp.MustCompile(`Press Release \(\d{4}\) \d+(?:-[A-Z]+)?`)
	byLine      = regexp.MustCompile(`(?m)^by ((?:NATO |the )?[A-Z][^\n,]{3,80})$`)
	speechTitle = regexp.MustCompile(`(?i)^(?:(?:opening |closing |keynote |introductory )?(?:remarks|speech|statement|press (?:point|conference|briefing)|doorstep(?: statement)?|joint press (?:point|conference)|interview|transcript|video message|address|lecture|pre-ministerial press conference)\b)`)
	titleBy     = regexp.MustCompile(`\bby ((?:NATO |the )?(?:[A-Z][\p{L}.'’-]*\s?){2,9}?)(?:\s+(?:at|in|on|to|following|after|during|before|with|ahead|for)\b|,|$)`)
)

// titleSpeaker finds "… by NATO Secretary General Mark Rutte at …" in a
// title that speechTitle matches.
func titleSpeaker(title string) string {
	if m := titleBy.FindStringSubmatch(title); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

// isSpeechTitle is speechTitle.MatchString.
func isSpeechTitle(t string) bool {
	return foldPrefixed(t, speechStarts) && speechTitle.MatchString(t)
}

// speechStarts are how speechTitle's matches start (foldPrefixed).
var speechStarts = newPrefixes("opening ", "closing ", "keynote ", "introductory ", "remarks", "speech", "statement",
	"press ", "doorstep", "joint press ", "interview", "transcript", "video message", "address", "lecture",
	"pre-ministerial press conference")

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

// pageTitle is the first h1 of titlesCSS' that has text, else og:title,
// else <title> without the site's additions.
func (s *pageScan) pageTitle() string {
	for _, n := range s.h1s {
		if n != nil {
			if t := clean(nodeText(n)); t != "" {
				return t
			}
		}
	}
	if t, ok := attrOf(s.ogTitle, "content"); ok && clean(t) != "" {
		return clean(t)
	}
	t := clean(s.titleText())
	if m := titleSuffix.FindStringSubmatch(t); m != nil {
		return strings.TrimSpace(m[1])
	}
	return t
}

// titleText is the text of <title>, "" without one.
func (s *pageScan) titleText() string {
	if s.title == nil {
		return ""
	}
	return nodeText(s.title)
}

var legacyTitleDate = regexp.MustCompile(`,\s*(\d{1,2}-[A-Za-z]{3,5}\.?-\d{4})\s*$`)

func (s *pageScan) pageDate(base *url.URL) time.Time {
	for _, n := range s.dateMetas {
		if v, ok := attrOf(n, "content"); ok {
			if t, ok := parseDate(v); ok {
				return t
			}
		}
	}
	if t, ok := DateFromURL(base.String()); ok {
		return t
	}
	for _, n := range s.times {
		v, _ := attrOf(n, "datetime")
		if t, ok := parseDate(v); ok {
			return t
		}
	}
	if m := legacyTitleDate.FindStringSubmatch(s.titleText()); m != nil {
		if t, ok := parseDate(m[1]); ok {
			return t
		}
	}
	// A date line near the top of the text ("24 May. 2017 -", "26 Nov. 2026").
	var buf []byte
	for _, n := range s.dateLines {
		// Only short lines are read: a block's text is not built past 40
		// bytes.
		txt, short, b := cleanText(n, 40, buf)
		buf = b
		if !short || len(txt) < 6 || strings.Contains(strings.ToLower(txt), "updated") {
			continue
		}
		if t, ok := parseDate(txt); ok {
			return t
		}
	}
	return time.Time{}
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
	// The words of s as strings.Fields gives them (more than 13 are not
	// counted).
	n := 0
	for rest := s; n <= 12; n++ {
		var w string
		if w, rest = nextField(rest); w == "" {
			break
		}
	}
	if n < 2 || n > 12 || foldPrefixed(s, notSpeakerStarts) && notSpeaker.MatchString(s) {
		return false
	}
	// Names and roles: every word capitalised, connectors aside; what is
	// in brackets or parentheses is free.
	depth := 0
	for rest := s; ; {
		var w string
		if w, rest = nextField(rest); w == "" {
			break
		}
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

// nextField is the first field of s as strings.Fields splits it (at
// unicode.IsSpace runes), "" if there is none, and what follows it.
func nextField(s string) (field, rest string) {
	start := -1
	for i := 0; i < len(s); {
		r, w := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(s[i:])
		}
		if unicode.IsSpace(r) {
			if start >= 0 {
				return s[start:i], s[i:]
			}
		} else if start < 0 {
			start = i
		}
		i += w
	}
	if start < 0 {
		return "", ""
	}
	return s[start:], ""
}

// notSpeakerStarts are how notSpeaker's matches start (foldPrefixed).
var notSpeakerStarts = newPrefixes("q", "a", "moderator", "journalist", "note", "editor", "related", "share", "more",
	"read more", "press release", "speech")

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
		if i < 8 && (p == title || foldPrefixed(p, leadInStarts) && leadIn.MatchString(p)) {
			continue
		}
		if i < 8 && len(p) < 40 {
			if _, ok := parseDate(p); ok {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

var leadIn = regexp.MustCompile(`(?i)^(?:press release \(\d{4}\) \d+.{0,60}|\(as delivered\)|\(as prepared(?: for delivery)?\)|last updated:?\s.*|press (?:point|conference|release)|speech|news|official text|by (?:NATO |the )?[A-Z].{3,80})$`)

// leadInStarts are how leadIn's matches start (foldPrefixed).
var leadInStarts = newPrefixes("press ", "(as ", "last updated", "speech", "news", "official text", "by ")
