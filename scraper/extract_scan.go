package scraper

import (
	"golang.org/x/net/html"
)

// pageScan is what extraction reads of a parsed page, gathered in one walk
// of its elements: each list or node is what goquery's Find (or Find and
// First) would give for its selector, on the page as parsed (before the
// noise goes) or, for known and paras, on the page once removeNoise is
// done with it.
type pageScan struct {
	canonical *html.Node    // link[rel="canonical"]
	ogTitle   *html.Node    // selOGTitle
	title     *html.Node    // title
	h1s       [4]*html.Node // selTitles, each
	dateMetas [4]*html.Node // selDateMetas, each
	times     []*html.Node  // timesMatcher
	dateLines []*html.Node  // dateLinesMatcher, the first maxDateLines only
	bodies    []*html.Node  // body

	// noise are the elements removeNoise removes, those inside another
	// left out: what detaching them leaves of the page is what removeNoise
	// leaves.
	noise []*html.Node
	known [6][]*html.Node // knownBodies, each, once the noise is gone
	paras []*html.Node    // paragraphsMatcher, once the noise is gone

	inMain, inArticle int // the walk is below this many main, article elements
}

// maxDateLines is how many date line candidates pageDate reads.
const maxDateLines = 201

// scanPage walks the elements below root (a document node) in document
// order.
func scanPage(root *html.Node) *pageScan {
	s := &pageScan{}
	s.children(root, false)
	return s
}

func (s *pageScan) children(n *html.Node, pruned bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			s.element(c, pruned)
		}
	}
}

// element reads n and its subtree; pruned is set when an ancestor of n is
// noise.
func (s *pageScan) element(n *html.Node, pruned bool) {
	main, article := false, false
	switch n.Data {
	case "link":
		if s.canonical == nil && selCanonical.Match(n) {
			s.canonical = n
		}
	case "meta":
		if s.ogTitle == nil && selOGTitle.Match(n) {
			s.ogTitle = n
		}
		for i, m := range selDateMetas {
			if s.dateMetas[i] == nil && m.Match(n) {
				s.dateMetas[i] = n
			}
		}
	case "title":
		if s.title == nil {
			s.title = n
		}
	case "h1":
		// "main h1", "article h1", "h1.fs-huge", "h1".
		if s.h1s[0] == nil && s.inMain > 0 {
			s.h1s[0] = n
		}
		if s.h1s[1] == nil && s.inArticle > 0 {
			s.h1s[1] = n
		}
		if s.h1s[2] == nil && hasClass(n, func(c string) bool { return c == "fs-huge" }) {
			s.h1s[2] = n
		}
		if s.h1s[3] == nil {
			s.h1s[3] = n
		}
	case "time":
		if timesMatcher(n) {
			s.times = append(s.times, n)
		}
	case "body":
		s.bodies = append(s.bodies, n)
	case "main":
		main = true
	case "article":
		article = true
	}
	if len(s.dateLines) < maxDateLines && dateLinesMatcher(n) {
		s.dateLines = append(s.dateLines, n)
	}
	if !pruned {
		if isNoise(n) {
			s.noise = append(s.noise, n)
			pruned = true
		} else {
			s.knownBody(n)
			if paragraphsMatcher(n) {
				s.paras = append(s.paras, n)
			}
		}
	}
	if main {
		s.inMain++
	}
	if article {
		s.inArticle++
	}
	s.children(n, pruned)
	if main {
		s.inMain--
	}
	if article {
		s.inArticle--
	}
}

// knownBody adds n to the lists of the knownBodies selectors it matches:
// "section.content.cf", the two justified divs, articleBodyCSS, "main
// article", "article".
func (s *pageScan) knownBody(n *html.Node) {
	switch n.Data {
	case "section":
		if knownBodies[0].Match(n) {
			s.known[0] = append(s.known[0], n)
		}
	case "div":
		if knownBodies[1].Match(n) {
			s.known[1] = append(s.known[1], n)
		}
		if knownBodies[2].Match(n) {
			s.known[2] = append(s.known[2], n)
		}
	case "article":
		if s.inMain > 0 {
			s.known[4] = append(s.known[4], n)
		}
		s.known[5] = append(s.known[5], n)
	}
	if articleBodyMatcher(n) {
		s.known[3] = append(s.known[3], n)
	}
}

// isNoise reports an element removeNoise removes: noiseTags, a header, or
// an element (but body, html, main and article) whose class or id is a
// noise name.
func isNoise(n *html.Node) bool {
	if noiseMatcher(n) || n.Data == "header" {
		return true
	}
	switch n.Data {
	case "body", "html", "main", "article":
		return false
	}
	// The first class and id attributes, as goquery's Attr reads them.
	var cls, id string
	var hasCls, hasID bool
	for _, a := range n.Attr {
		switch {
		case a.Key == "class" && !hasCls:
			cls, hasCls = a.Val, true
		case a.Key == "id" && !hasID:
			id, hasID = a.Val, true
		}
	}
	return isNoiseName(cls) || isNoiseName(id)
}
