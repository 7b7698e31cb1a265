// Code generated from the extraction code of commit 7aea054 (before the
// single-walk rewrite); DO NOT EDIT. It is the reference the differential
// tests hold Extract to: every top-level name prefixed with "ref". One
// change: refBestContainer breaks ties in the order first scored, as
// bestContainer does since, not in map order (at random).

package scraper

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/natowatch/natowatch/release"
	"golang.org/x/net/html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

var (
	refSelCanonical = cascadia.MustCompile(`link[rel="canonical"]`)
	refSelBody      = refTagMatcher("body")
	refSelLink      = refTagMatcher("link")
	refSelTitleTag  = refTagMatcher("title")
	refSelH1        = refTagMatcher("h1")
	refSelMeta      = refTagMatcher("meta")
	refSelOGTitle   = cascadia.MustCompile(`meta[property="og:title"]`)
	refSelTitles    = refCompileAll("main h1", "article h1", "h1.fs-huge", "h1") // all h1s: matched against selH1's nodes
	refSelDateMetas = refCompileAll(`meta[property="article:published_time"]`, `meta[name="date"]`, `meta[name="dcterms.date"]`, `meta[itemprop="datePublished"]`)
)

func refFirstMatch(nodes []*html.Node, m cascadia.Selector) *html.Node {
	for _, n := range nodes {
		if m.Match(n) {
			return n
		}
	}
	return nil
}

func refAttrOf(n *html.Node, key string) (string, bool) {
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

var refErrNoContent = errors.New("no article text found")

const refMinBodyChars = 100

type refArticle struct {
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

func refExtract(body []byte, pageURL, contentType string) (*refArticle, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", pageURL, err)
	}
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	var a *refArticle
	if strings.HasPrefix(contentType, "text/plain") {
		a = refExtractPublicText(string(body))
	} else {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("extract %s: %w", pageURL, err)
		}
		a = refExtractHTML(doc, base)
	}
	refFinish(a, base)
	a.Truncated = !strings.HasPrefix(contentType, "text/plain") && refTruncatedHTML(body)
	if n := refJoinedLen(a.Body); n < refMinBodyChars {
		return nil, fmt.Errorf("extract %s: %w (%d paragraphs, %d characters)", pageURL, refErrNoContent, len(a.Body), n)
	}
	if a.Title == "" {
		return nil, fmt.Errorf("extract %s: no title found", pageURL)
	}
	return a, nil
}

type refPageNodes struct {
	doc                       *goquery.Document
	links, h1s, metas, bodies []*html.Node
}

func refFindPageNodes(doc *goquery.Document) *refPageNodes {
	l := refFindAll(doc, refSelLink, refSelH1, refSelMeta, refSelBody)
	return &refPageNodes{doc: doc, links: l[0], h1s: l[1], metas: l[2], bodies: l[3]}
}

func (pn *refPageNodes) find(m cascadia.Selector) []*html.Node { return pn.doc.FindMatcher(m).Nodes }

func refExtractHTML(doc *goquery.Document, base *url.URL) *refArticle {
	a := &refArticle{}
	pn := refFindPageNodes(doc)
	if href, ok := refAttrOf(refFirstMatch(pn.links, refSelCanonical), "href"); ok && strings.TrimSpace(href) != "" {
		a.Canonical = Canonical(href, base)
	}
	a.Title = refPageTitle(pn)
	a.Published = refPageDate(pn, base)
	body := doc.FindNodes(pn.bodies...)
	if refTextContains(body.Nodes, "Press Release (") {

		a.Reference = refReference.FindString(body.Text())
	}

	if refMayHavePublicHeader(body) {
		if pub := refPublicHeader(strings.Join(refParagraphs(body), "\n")); pub != nil {

			a.Published, a.Type = pub.date, pub.typ
			if pub.title != "" {
				a.Title = pub.title
			}
		}
	}
	refRemoveNoise(doc)
	a.Body = refMainText(doc)
	a.Body = refDropLeadIn(a.Body, a.Title)
	a.Speakers = refTurnSpeakers(a.Body)
	if pub := refPublicHeader(strings.Join(a.Body, "\n")); pub != nil {

		for i, p := range a.Body {
			if refPublicLine.MatchString(p) {
				a.Body = refDropLeadIn(a.Body[i+1:], a.Title)
				break
			}
		}
	}
	return a
}

func refMayHavePublicHeader(body *goquery.Selection) bool {
	return bytes.Contains(refStripped(nil, body.Nodes), []byte("DistributedbyPublic"))
}

func refTruncatedHTML(b []byte) bool {
	tail := b[max(0, len(b)-4096):]
	return refContainsFoldASCII(b[:min(len(b), 4096)], "<html") && !refContainsFoldASCII(tail, "</html")
}

func refFinish(a *refArticle, base *url.URL) {
	text := strings.Join(a.Body, "\n")
	if a.Reference == "" {
		a.Reference = refReference.FindString(text)
	}
	if a.Type == "" {
		a.Type = refTypeFromURL(base)
	}
	if a.Type == "" && a.Reference != "" {
		a.Type = release.TypePressRelease
	}
	if a.Published.IsZero() {
		if t, ok := refDateFromURL(base.String()); ok {
			a.Published = t
		}
	}
	if len(a.Speakers) == 0 {
		if s := refSpeakerFromTitle(a.Title); s != "" {
			a.Speakers = []string{s}
		} else if m := refFindByLine(text); m != nil {
			a.Speakers = []string{strings.TrimSpace(m[1])}
		}
	}
	if (a.Type == "" || a.Type == release.TypePressRelease || a.Type == release.TypeOther) && refSpeechTitle.MatchString(a.Title) {

		a.Type = release.TypeSpeech
	}
	a.Speakers = refMainSpeakerFirst(a.Speakers, a.Title)
}

func refFindByLine(text string) []string {
	if !strings.HasPrefix(text, "by ") && !strings.Contains(text, "\nby ") {
		return nil
	}
	return refByLine.FindStringSubmatch(text)
}

var refRoleLabel = regexp.MustCompile(`^(.+?)\s*\[(.+?)\]$`)

func refMainSpeakerFirst(speakers []string, title string) []string {
	out := make([]string, 0, len(speakers))
	for _, s := range speakers {
		if m := refRoleLabel.FindStringSubmatch(s); m != nil {
			s = m[2] + " " + m[1]
		}
		out = append(out, s)
	}
	named := refSpeakerFromTitle(title)
	for i, s := range out {
		if named != "" && i > 0 && (strings.Contains(named, refLastWord(s)) || strings.Contains(s, refLastWord(named))) {
			copy(out[1:i+1], out[:i])
			out[0] = s
			break
		}
	}
	return out
}

func refLastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "\x00"
	}
	return f[len(f)-1]
}

var (
	refReference   = regexp.MustCompile(`Press Release \(\d{4}\) \d+(?:-[A-Z]+)?`)
	refByLine      = regexp.MustCompile(`(?m)^by ((?:NATO |the )?[A-Z][^\n,]{3,80})$`)
	refSpeechTitle = regexp.MustCompile(`(?i)^(?:(?:opening |closing |keynote |introductory )?(?:remarks|speech|statement|press (?:point|conference|briefing)|doorstep(?: statement)?|joint press (?:point|conference)|interview|transcript|video message|address|lecture|pre-ministerial press conference)\b)`)
	refTitleBy     = regexp.MustCompile(`\bby ((?:NATO |the )?(?:[A-Z][\p{L}.'’-]*\s?){2,9}?)(?:\s+(?:at|in|on|to|following|after|during|before|with|ahead|for)\b|,|$)`)
)

func refSpeakerFromTitle(title string) string {
	if !refSpeechTitle.MatchString(title) {
		return ""
	}
	if m := refTitleBy.FindStringSubmatch(title); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

func refTypeFromURL(u *url.URL) release.Type {
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

var refTitleSuffix = regexp.MustCompile(`^(?:NATO\s*-\s*(?:[\p{L} ]+:\s*)?)?(.+?)(?:,\s*\d{1,2}-[A-Za-z]{3,5}\.?-\d{4})?(?:\s*[|–-]\s*NATO(?: - North Atlantic Treaty Organi[sz]ation)?)?$`)

func refPageTitle(pn *refPageNodes) string {
	for _, sel := range refSelTitles {
		if n := refFirstMatch(pn.h1s, sel); n != nil {
			if t := refClean(refNodeText(n)); t != "" {
				return t
			}
		}
	}
	if t, ok := refAttrOf(refFirstMatch(pn.metas, refSelOGTitle), "content"); ok && refClean(t) != "" {
		return refClean(t)
	}
	t := refClean(refFirstText(pn.find(refSelTitleTag)))
	if m := refTitleSuffix.FindStringSubmatch(t); m != nil {
		return strings.TrimSpace(m[1])
	}
	return t
}

var refLegacyTitleDate = regexp.MustCompile(`,\s*(\d{1,2}-[A-Za-z]{3,5}\.?-\d{4})\s*$`)

func refPageDate(pn *refPageNodes, base *url.URL) time.Time {
	for _, sel := range refSelDateMetas {
		if v, ok := refAttrOf(refFirstMatch(pn.metas, sel), "content"); ok {
			if t, err := refParseDate(v); err == nil {
				return t
			}
		}
	}
	if t, ok := refDateFromURL(base.String()); ok {
		return t
	}
	var found time.Time
	for _, n := range pn.find(refTimesMatcher) {
		v, _ := refAttrOf(n, "datetime")
		if t, err := refParseDate(v); err == nil {
			found = t
			break
		}
	}
	if !found.IsZero() {
		return found
	}
	if m := refLegacyTitleDate.FindStringSubmatch(refFirstText(pn.find(refSelTitleTag))); m != nil {
		if t, err := refParseDate(m[1]); err == nil {
			return t
		}
	}
	// A date line near the top of the text ("24 May. 2017 -", "26 Nov. 2026").
	var buf []byte
	for i, n := range pn.find(refDateLinesMatcher) {
		if i > 200 {
			break
		}

		txt, short, b := refCleanText(n, 40, buf)
		buf = b
		if !short || len(txt) < 6 || strings.Contains(strings.ToLower(txt), "updated") {
			continue
		}
		if t, err := refParseDate(txt); err == nil {
			found = t
			break
		}
	}
	return found
}

func refFirstText(nodes []*html.Node) string {
	if len(nodes) == 0 {
		return ""
	}
	return refNodeText(nodes[0])
}

func refTurnSpeakers(body []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range body {
		label, _, ok := strings.Cut(p, ":")
		if !ok || len(label) > 100 {
			continue
		}
		label = strings.TrimSpace(label)
		if !refIsSpeakerLabel(label) || seen[label] {
			continue
		}
		seen[label] = true
		out = append(out, label)
	}
	return out
}

var refNotSpeaker = regexp.MustCompile(`(?i)^(question|q|answer|a|moderator|journalist|audience|note|editor|related|share|more|read more|press release|speech)\b`)

func refIsSpeakerLabel(s string) bool {
	n := len(strings.Fields(s))
	if n < 2 || n > 12 || refNotSpeaker.MatchString(s) {
		return false
	}

	depth := 0
	for _, w := range strings.Fields(s) {
		free := depth > 0
		depth += strings.Count(w, "[") + strings.Count(w, "(") - strings.Count(w, "]") - strings.Count(w, ")")
		if free || strings.HasPrefix(w, "[") || strings.HasPrefix(w, "(") {
			continue
		}
		if strings.ContainsAny(w, ".?!") && len(w) > 3 || !(refLabelConnector[w] || unicode.IsUpper(refFirstRuneOf(w))) {
			return false
		}
	}
	return true
}

var refLabelConnector = map[string]bool{"of": true, "the": true, "for": true, "and": true, "de": true, "van": true,
	"von": true, "der": true, "den": true, "du": true, "la": true, "le": true, "di": true, "da": true, "to": true, "on": true, "at": true}

func refFirstRuneOf(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func refDropLeadIn(body []string, title string) []string {
	out := body[:0]
	for i, p := range body {
		if i < 8 && (p == title || refLeadIn.MatchString(p)) {
			continue
		}
		if i < 8 && len(p) < 40 {
			if _, err := refParseDate(p); err == nil {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

var refLeadIn = regexp.MustCompile(`(?i)^(?:press release \(\d{4}\) \d+.{0,60}|\(as delivered\)|\(as prepared(?: for delivery)?\)|last updated:?\s.*|press (?:point|conference|release)|speech|news|official text|by (?:NATO |the )?[A-Z].{3,80})$`)

const refNoiseTags = "script, style, noscript, template, svg, iframe, form, button, select, input, nav, footer, aside, figure figcaption, [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], [hidden]"

var refNoiseWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`share sharing social related breadcrumb breadcrumbs cookie cookies consent
		newsletter subscribe signup footer navbar nav menu sidebar promo banner skip tags pagination pager print
		toolbar disclaimer carousel modal popup search tools caption credit credits gallery video audio download
		downloads langswitch languageselector`) {
		refNoiseWords[w] = true
	}
}

var refNoisePairs = map[string]bool{"site header": true, "read more": true, "more from": true, "image box": true,
	"cmp image": true, "sign up": true, "lang switch": true, "language switch": true, "language selector": true}

func refIsNoiseName(s string) bool {
	if s == "" {
		return false
	}

	l := strings.ToLower(s)
	prev := ""
	for start, i := -1, 0; i <= len(l); i++ {
		if i < len(l) && l[i] != '-' && l[i] != '_' && l[i] != ' ' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start < 0 {
			continue
		}
		w := l[start:i]
		if refNoiseWords[w] || (prev != "" && refNoisePairs[prev+" "+w]) {
			return true
		}
		prev, start = w, -1
	}
	return false
}

var refKnownBodies = refCompileAll(
	"section.content.cf",
	`div[style*="text-align: justify"]`,
	`div[style*="text-align:justify"]`,
	refArticleBodyCSS,
	"main article",
	"article",
)

func init() { refKnownBodies[3] = refArticleBodyMatcher }

var (
	refSelHeader     = refTagMatcher("header")
	refSelPageBlocks = cascadia.MustCompile("body, html, main, article")
	refSelTextBlocks = cascadia.MustCompile("body, main, article")
	refSelLinks      = refTagMatcher("a")
)

func refRemoveNoise(doc *goquery.Document) {
	doc.FindMatcher(refNoiseMatcher).Remove()
	doc.FindMatcher(refSelHeader).Each(func(_ int, s *goquery.Selection) {

		s.Remove()
	})
	doc.FindMatcher(refNamedMatcher).Each(func(_ int, s *goquery.Selection) {
		if s.IsMatcher(refSelPageBlocks) {
			return
		}
		cls, _ := s.Attr("class")
		id, _ := s.Attr("id")
		if refIsNoiseName(cls) || refIsNoiseName(id) {
			s.Remove()
		}
	})
}

func refMainText(doc *goquery.Document) []string {
	for _, nodes := range refFindAll(doc, refKnownBodies...) {
		var best []string
		for _, n := range nodes {
			if p := refParagraphNodes([]*html.Node{n}); refTextLen(p) > refTextLen(best) {
				best = p
			}
		}
		if refTextLen(best) >= refMinBodyChars {
			return best
		}
	}
	if s := refBestContainer(doc); s != nil {
		return refWithSiblings(s)
	}
	return nil
}

func refWithSiblings(best *goquery.Selection) []string {

	for best.Parent().Length() > 0 && best.Parent().Children().Length() == 1 && !best.Parent().IsMatcher(refSelTextBlocks) {
		best = best.Parent()
	}
	var out []string
	best.Parent().Children().Each(func(_ int, s *goquery.Selection) {
		ps := refParagraphs(s)
		if s.IsSelection(best) {
			out = append(out, ps...)
			return
		}
		txt := strings.Join(ps, " ")
		links := len(refClean(s.FindMatcher(refSelLinks).Text()))
		if len(txt) >= 60 && float64(links) < 0.3*float64(len(txt)) && strings.ContainsAny(txt, ".!?") {
			out = append(out, ps...)
		}
	})
	return out
}

func refTextLen(ps []string) int {
	n := 0
	for _, p := range ps {
		n += len(p)
	}
	return n
}

func refBestContainer(doc *goquery.Document) *goquery.Selection {
	scores := map[*html.Node]float64{}
	var order []*html.Node // the keys of scores, as first scored
	var best *html.Node
	doc.FindMatcher(refParagraphsMatcher).Each(func(_ int, p *goquery.Selection) {
		txt := refClean(p.Text())
		if len(txt) < 25 {
			return
		}
		links := len(refClean(p.FindMatcher(refSelLinks).Text()))
		score := float64(len(txt)-links) / 100
		if strings.Count(txt, ",")+strings.Count(txt, ".") > 1 {
			score++
		}
		parent := p.Parent()
		if parent.Length() == 0 {
			return
		}
		n := parent.Get(0)
		if _, ok := scores[n]; !ok {
			order = append(order, n)
		}
		scores[n] += score
		if gp := parent.Parent(); gp.Length() > 0 {
			if _, ok := scores[gp.Get(0)]; !ok {
				order = append(order, gp.Get(0))
			}
			scores[gp.Get(0)] += score / 2
		}
	})
	// Of equal scores the first scored wins (map order would pick one at
	// random).
	for _, n := range order {
		if best == nil || scores[n] > scores[best] {
			best = n
		}
	}
	if best == nil {
		return nil
	}
	return doc.FindNodes(best)
}

var refBlockTags = map[string]bool{
	"p": true, "div": true, "li": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"blockquote": true, "pre": true, "tr": true, "td": true, "th": true, "section": true, "article": true,
	"ul": true, "ol": true, "table": true, "dd": true, "dt": true, "br": false, "hr": true, "figure": true,
}

func refParagraphs(s *goquery.Selection) []string { return refParagraphNodes(s.Nodes) }

func refParagraphNodes(nodes []*html.Node) []string {
	var (
		out []string
		cur []byte // the paragraph so far; its storage is reused
		brs int
	)
	flush := func() {
		if t := refCleanBytes(cur); t != "" && !refIsBoilerplateLine(t) {
			out = append(out, t)
		}
		cur = cur[:0]
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if strings.TrimSpace(n.Data) != "" {
				brs = 0
			}
			cur = append(cur, n.Data...)
			return
		case html.ElementNode:
		case html.DocumentNode:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
			return
		default:
			return
		}
		if n.Data == "br" {
			brs++
			if brs >= 2 {
				flush()
			}
			cur = append(cur, ' ')
			return
		}
		if (n.Data == "b" || n.Data == "strong") && len(bytes.TrimSpace(cur)) == 0 && refIsTurnLabel(n, "") {
			flush()
			label := strings.TrimSuffix(refClean(refNodeText(n)), ":")
			out = append(out, label+":")
			return
		}
		block := refBlockTags[n.Data]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	flush()
	return out
}

func refIsTurnLabel(n *html.Node, before string) bool {
	if strings.TrimSpace(before) != "" {
		return false
	}
	t := strings.TrimSuffix(refClean(refNodeText(n)), ":")
	if t == "" || len(t) > 100 {
		return false
	}
	return refIsSpeakerLabel(t) || refQuestionLabel.MatchString(t)
}

var refQuestionLabel = regexp.MustCompile(`(?i)^(question|q|moderator|answer)\b`)

func refNodeText(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return b.String()
}

func refIsBoilerplateLine(t string) bool {
	var head [len("(as delivered)")]byte
	n := 0
	for ; n < len(head) && n < len(t); n++ {
		c := t[n]
		if c >= utf8.RuneSelf {
			return refBoilerplate.MatchString(t)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		head[n] = c
	}
	h := head[:n]
	for _, p := range refBoilerplateStarts {
		if len(h) >= len(p) && string(h[:len(p)]) == p {
			return refBoilerplate.MatchString(t)
		}
	}
	return false
}

var refBoilerplateStarts = []string{"share", "print", "e-mail", "email", "back to top", "read more", "related", "top",
	"follow us", "copyright", "tag", "see also", "download", "(as delivered)", "last updated"}

var refBoilerplate = regexp.MustCompile(`(?i)^(share( this)?( page| article)?:?|print( this page)?|e-?mail|back to top|read more|related( content| news| articles)?|top|follow us.*|©.*|copyright.*|tags?:.*|see also:?|download.*\(pdf.*\)|\(as delivered\)|last updated:?.*)$`)

func refIsCleanSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '\f' || r == '\v' || r == '\u200b'
}

func refClean(s string) string {
	if refIsClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	refAppendClean(&b, s)
	return b.String()
}

func refIsClean(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			return false
		case c >= utf8.RuneSelf:
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == '\u00a0' || r == '\u200b' {
				return false
			}
			prevSpace = false
			i += w - 1
		default:
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

func refAppendClean(b *strings.Builder, s string) {
	start := -1
	for i, r := range s {
		if refIsCleanSpace(r) {
			if start >= 0 {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[start:])
	}
}

func refCleanBytes(b []byte) string {

	s := unsafe.String(unsafe.SliceData(b), len(b))
	if refIsClean(s) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b))
	refAppendClean(&sb, s)
	return sb.String()
}

func refCleanText(n *html.Node, limit int, buf []byte) (string, bool, []byte) {
	out := buf[:0]
	pending := false
	valid := true
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.TextNode {
			if !utf8.ValidString(n.Data) {
				valid = false
				return false
			}
			for _, r := range n.Data {
				if refIsCleanSpace(r) {
					pending = len(out) > 0
					continue
				}
				if pending {
					out = append(out, ' ')
					pending = false
				}
				out = utf8.AppendRune(out, r)
			}
			if len(out) > limit {
				return false
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	walk(n)
	if !valid {

		t := refClean(refNodeText(n))
		return t, len(t) <= limit, out
	}
	if len(out) > limit {
		return "", false, out
	}
	return string(out), true, out
}

func refStripped(b []byte, nodes []*html.Node) []byte {
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:

			d := n.Data
			run := 0
			for i := 0; i < len(d); {
				c := d[i]
				w := 0
				switch {
				case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
					w = 1
				case c == 0xC2 && i+1 < len(d) && d[i+1] == 0xA0:
					w = 2
				case c == 0xE2 && i+2 < len(d) && d[i+1] == 0x80 && d[i+2] == 0x8B:
					w = 3
				}
				if w == 0 {
					i++
					continue
				}
				b = append(b, d[run:i]...)
				i += w
				run = i
			}
			b = append(b, d[run:]...)
			return
		case html.ElementNode, html.DocumentNode:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return b
}

func refJoinedLen(ps []string) int {
	n := 0
	for i, p := range ps {
		if i > 0 {
			n++
		}
		n += len(p)
	}
	return n
}

func refContainsFoldASCII(b []byte, needle string) bool {

	for i := 0; i+len(needle) <= len(b); i++ {
		if j := bytes.IndexByte(b[i:], needle[0]); j < 0 {
			return false
		} else {
			i += j
		}
		if i+len(needle) > len(b) {
			return false
		}
		j := 0
		for ; j < len(needle); j++ {
			c := b[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != needle[j] {
				break
			}
		}
		if j == len(needle) {
			return true
		}
	}
	return false
}

func refCompileAll(sels ...string) []cascadia.Selector {
	out := make([]cascadia.Selector, len(sels))
	for i, s := range sels {
		out[i] = cascadia.MustCompile(s)
	}
	return out
}

func refTextContains(nodes []*html.Node, lit string) bool {
	j := 0
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.TextNode {
			d := n.Data
			for i := 0; i < len(d); i++ {
				switch c := d[i]; {
				case c == lit[j]:
					if j++; j == len(lit) {
						return true
					}
				case c == lit[0]:
					j = 1
				default:
					j = 0
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	for _, n := range nodes {
		if walk(n) {
			return true
		}
	}
	return false
}

var refNoiseMatcher = cascadia.Selector(func(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.Data {
	case "script", "style", "noscript", "template", "svg", "iframe", "form", "button", "select", "input", "nav", "footer", "aside":
		return true
	case "figcaption":
		for p := n.Parent; p != nil; p = p.Parent {
			if p.Type == html.ElementNode && p.Data == "figure" {
				return true
			}
		}
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "role":
			if a.Val == "navigation" || a.Val == "banner" || a.Val == "contentinfo" {
				return true
			}
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "hidden":
			return true
		}
	}
	return false
})

var refNamedMatcher = cascadia.Selector(func(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == "class" || a.Key == "id" {
			return true
		}
	}
	return false
})

const refDateLinesCSS = ".date, .fs-small, .event-date, .cmp-date, p, span, div.date"

var refDateLinesMatcher = cascadia.Selector(func(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if n.Data == "p" || n.Data == "span" {
		return true
	}
	return refHasClass(n, func(c string) bool { return c == "date" || c == "fs-small" || c == "event-date" || c == "cmp-date" })
})

const refTimesCSS = "main time[datetime], article time[datetime], time[datetime]"

var refTimesMatcher = cascadia.Selector(func(n *html.Node) bool {
	return n.Type == html.ElementNode && n.Data == "time" && refHasAttr(n, "datetime")
})

const refArticleBodyCSS = ".article-content, .article__content, .article-body, [itemprop=articleBody], .story-body, .post-content, .entry-content"

var refArticleBodyMatcher = cascadia.Selector(func(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == "itemprop" && a.Val == "articleBody" {
			return true
		}
	}
	return refHasClass(n, func(c string) bool {
		switch c {
		case "article-content", "article__content", "article-body", "story-body", "post-content", "entry-content":
			return true
		}
		return false
	})
})

const refParagraphsCSS = "p, pre, blockquote, li"

var refParagraphsMatcher = cascadia.Selector(func(n *html.Node) bool {
	return n.Type == html.ElementNode && (n.Data == "p" || n.Data == "pre" || n.Data == "blockquote" || n.Data == "li")
})

func refTagMatcher(tag string) cascadia.Selector {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == tag }
}

func refHasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func refHasClass(n *html.Node, ok func(string) bool) bool {
	for _, a := range n.Attr {
		if a.Key != "class" {
			continue
		}
		for s := a.Val; s != ""; {
			i := strings.IndexAny(s, " \t\r\n\f")
			if i == -1 {
				if ok(s) {
					return true
				}
				break
			}
			if ok(s[:i]) {
				return true
			}
			s = s[i+1:]
		}
	}
	return false
}

func refFindAll(doc *goquery.Document, ms ...cascadia.Selector) [][]*html.Node {
	out := make([][]*html.Node, len(ms))
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for i, m := range ms {
			if m(n) {
				out[i] = append(out[i], n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}

	for _, root := range doc.Nodes {
		for c := root.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				walk(c)
			}
		}
	}
	return out
}

const refMaxDateInput = 512

const refMaxDateTokens = 6

var refMonthWords = map[string]string{
	"january": "Jan", "jan": "Jan", "janvier": "Jan", "janv": "Jan",
	"february": "Feb", "feb": "Feb", "février": "Feb", "fevrier": "Feb", "févr": "Feb", "fevr": "Feb", "fév": "Feb", "fev": "Feb",
	"march": "Mar", "mar": "Mar", "mars": "Mar",
	"april": "Apr", "apr": "Apr", "avril": "Apr", "avr": "Apr",
	"may": "May", "mai": "May",
	"june": "Jun", "jun": "Jun", "juin": "Jun",
	"july": "Jul", "jul": "Jul", "juillet": "Jul", "juil": "Jul",
	"august": "Aug", "aug": "Aug", "août": "Aug", "aout": "Aug",
	"september": "Sep", "sep": "Sep", "sept": "Sep", "septembre": "Sep",
	"october": "Oct", "oct": "Oct", "octobre": "Oct",
	"november": "Nov", "nov": "Nov", "novembre": "Nov",
	"december": "Dec", "dec": "Dec", "décembre": "Dec", "decembre": "Dec", "déc": "Dec",
}

var refWeekdayWords = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"lundi": true, "mardi": true, "mercredi": true, "jeudi": true, "vendredi": true, "samedi": true, "dimanche": true,
}

var refZoneWords = map[string]string{
	"Z": "+0000", "UT": "+0000", "UTC": "+0000", "GMT": "+0000",
	"WET": "+0000", "BST": "+0100", "CET": "+0100", "CEST": "+0200", "EET": "+0200", "EEST": "+0300",
	"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
	"MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
}

var (
	refWordRE     = regexp.MustCompile(`\p{L}+\.?`)
	refOrdinalRE  = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th|er)(,?)$`)
	refColonZone  = regexp.MustCompile(`^([+-]\d{2}):(\d{2})$`)
	refClockToken = regexp.MustCompile(`^\d{1,2}:\d{2}`)
	refDateLayout = refBuildLayouts()
)

func refBuildLayouts() []string {
	dates := []string{"2 Jan 2006", "2-Jan-2006", "Jan 2, 2006", "Jan 2 2006", "2006-01-02", "1/2/2006"}
	clocks := []string{" 15:04", " 15:04:05", " 3:04 PM", " 3:04PM"}
	zones := []string{"", " -0700", " -07:00"}
	var out []string
	for _, d := range dates {
		out = append(out, d)
		for _, c := range clocks {
			for _, z := range zones {
				out = append(out, d+c+z)
			}
		}
	}
	return append(out,
		"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05-0700", "2006-01-02T15:04-0700",
		"2006-01-02T15:04:05", "2006-01-02T15:04",
	)
}

func refParseDate(s string) (time.Time, error) {
	if len(s) > refMaxDateInput {
		return time.Time{}, fmt.Errorf("scraper: parse date %s: input longer than %d bytes", refQuoteShort(s), refMaxDateInput)
	}
	if !refHasYearDigits(s) {

		return time.Time{}, fmt.Errorf("scraper: parse date %s: no recognisable date", refQuoteShort(s))
	}
	toks := refDateTokens(s)
	for i := range toks {
		for n := min(refMaxDateTokens, len(toks)-i); n >= 1; n-- {
			cand := strings.Trim(strings.Join(toks[i:i+n], " "), "()[],;:|")
			cand = strings.TrimRight(cand, ".")
			t, ok := refParseCandidate(cand)
			if !ok {
				continue
			}
			if j := i + n; j < len(toks) && refClockToken.MatchString(toks[j]) {
				return time.Time{}, fmt.Errorf("scraper: parse date %s: unreadable time %q after %q", refQuoteShort(s), toks[j], cand)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("scraper: parse date %s: no recognisable date", refQuoteShort(s))
}

func refParseCandidate(c string) (time.Time, bool) {

	if c == "" || !(c[0] >= '0' && c[0] <= '9' || c[0] >= 'A' && c[0] <= 'Z') || !refHasYearDigits(c) {
		return time.Time{}, false
	}
	for _, layout := range refLayoutsFor(c) {
		t, err := time.ParseInLocation(layout, c, time.UTC)
		if err != nil {
			continue
		}
		if t.Year() < 1000 {
			return time.Time{}, false
		}
		if _, off := t.Zone(); off == 0 {
			t = t.UTC()
		}
		return t, true
	}
	return time.Time{}, false
}

var (
	refMonthFirst    = refLayoutsWithPrefix("Jan ")
	refDaySpaceFirst = refLayoutsWithPrefix("2 Jan")
	refDayDashFirst  = refLayoutsWithPrefix("2-Jan")
	refSlashFirst    = refLayoutsWithPrefix("1/2/2006")
	refIsoDate       = refLayoutsWithPrefix("2006-01-02", "2006-01-02 ")
	refIsoDateTime   = refLayoutsWithPrefix("2006-01-02T")
)

func refLayoutsWithPrefix(prefixes ...string) []string {
	var out []string
	for _, l := range refDateLayout {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) && (p != "2006-01-02" || l == p) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

func refLayoutsFor(c string) []string {
	if c[0] >= 'A' && c[0] <= 'Z' {
		return refMonthFirst
	}
	d := 0
	for d < len(c) && c[d] >= '0' && c[d] <= '9' {
		d++
	}
	if d == len(c) {
		return nil
	}
	switch {
	case d <= 2 && c[d] == ' ':
		return refDaySpaceFirst
	case d <= 2 && c[d] == '-':
		return refDayDashFirst
	case d <= 2 && c[d] == '/':
		return refSlashFirst
	case d == 4 && c[d] == '-' && len(c) > 10 && c[10] == 'T':
		return refIsoDateTime
	case d == 4 && c[d] == '-':
		return refIsoDate
	}
	return nil
}

func refHasYearDigits(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if run++; run == 4 {
				return true
			}
		case strings.HasPrefix(s[i:], "\u200b"), strings.HasPrefix(s[i:], "\ufeff"):
			i += 2
		default:
			run = 0
		}
	}
	return false
}

var refDateSpaces = strings.NewReplacer("\u200b", "", "\ufeff", "", "\u00a0", " ", "\u202f", " ", "\u2009", " ",
	"\u2013", " - ", "\u2014", " - ")

func refDateTokens(s string) []string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = refDateSpaces.Replace(s)
	s = refWordRE.ReplaceAllStringFunc(s, func(w string) string {
		key := strings.ToLower(strings.TrimSuffix(w, "."))
		if m, ok := refMonthWords[key]; ok {
			return m
		}
		if refWeekdayWords[key] {
			return " "
		}
		return w
	})
	toks := strings.Fields(s)
	for i, t := range toks {
		if z, ok := refZoneWords[strings.Trim(t, "()")]; ok {
			toks[i] = z
		} else if m := refColonZone.FindStringSubmatch(t); m != nil {
			toks[i] = m[1] + m[2]
		} else if m := refOrdinalRE.FindStringSubmatch(t); m != nil {
			toks[i] = m[1] + m[2]
		}
	}
	return toks
}

func refQuoteShort(s string) string {
	const limit = 80
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

func refDateFromURL(u string) (time.Time, bool) {
	p := u
	if pu, err := url.Parse(u); err == nil {
		p = pu.Path
	} else if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	seg := strings.Split(p, "/")
	for i := 0; i+2 < len(seg); i++ {
		y, okY := refDigits(seg[i], 4)
		m, okM := refDigits(seg[i+1], 2)
		d, okD := refDigits(seg[i+2], 2)
		if !okY || !okM || !okD || y < 1000 {
			continue
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if t.Year() == y && int(t.Month()) == m && t.Day() == d {
			return t, true
		}
	}
	return time.Time{}, false
}

func refDigits(s string, n int) (int, bool) {
	if len(s) != n {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

var refPublicLine = regexp.MustCompile(`(?m)^\s*(\d{1,2}/\d{1,2}/\d{4})\s*\|\s*([^|\n]{2,60}?)\s*\|\s*Distributed by Public on[^\n]*$`)

type refPublicMeta struct {
	date  time.Time
	typ   release.Type
	title string
}

func refPublicHeader(text string) *refPublicMeta {
	if !strings.Contains(text, "Distributed by Public") {
		return nil
	}
	loc := refPublicLine.FindStringSubmatchIndex(text)
	if loc == nil {
		return nil
	}
	m := &refPublicMeta{typ: refPublicType(text[loc[4]:loc[5]])}
	if t, err := refParseDate(text[loc[2]:loc[3]]); err == nil {
		m.date = t
	}
	for _, line := range strings.Split(text[loc[1]:], "\n") {
		if l := refClean(line); l != "" {
			m.title = l
			break
		}
	}
	return m
}

func refPublicType(s string) release.Type {
	s = strings.ToLower(s)
	switch {
	case strings.Contains(s, "press release"):
		return release.TypePressRelease
	case strings.Contains(s, "speech"), strings.Contains(s, "transcript"):
		return release.TypeSpeech
	case strings.Contains(s, "news"):
		return release.TypeNews
	}
	return release.TypeOther
}

func refExtractPublicText(text string) *refArticle {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	a := &refArticle{}
	rest := text
	if m := refPublicHeader(text); m != nil {
		a.Published, a.Type, a.Title = m.date, m.typ, m.title
		loc := refPublicLine.FindStringIndex(text)
		rest = text[loc[1]:]
		if i := strings.Index(rest, m.title); i >= 0 {
			rest = rest[i+len(m.title):]
		}
	}
	for _, p := range strings.Split(rest, "\n\n") {
		if p = refClean(p); p != "" {
			a.Body = append(a.Body, p)
		}
	}
	if a.Title == "" && len(a.Body) > 0 {
		a.Title, a.Body = a.Body[0], a.Body[1:]
	}
	return a
}
