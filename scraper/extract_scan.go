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
	ogTitle   *html.Node    // meta[property="og:title"]
	title     *html.Node    // title
	h1s       [4]*html.Node // titlesCSS, each
	dateMetas [4]*html.Node // dateMetasCSS, each
	times     []*html.Node  // timesCSS
	dateLines []*html.Node  // dateLinesCSS, the first maxDateLines only
	bodies    []*html.Node  // body

	// noise are the elements removeNoise removes, those inside another
	// left out: what detaching them leaves of the page is what removeNoise
	// leaves.
	noise []*html.Node
	known [6][]*html.Node // knownBodiesCSS, each, once the noise is gone
	paras []*html.Node    // paragraphsCSS, once the noise is gone

	// marks are bodyMarks of bodies (read on the way when there is one).
	marks marks

	inMain, inArticle, inBody int // the walk is below this many main, article, body elements
}

// maxDateLines is how many date line candidates pageDate reads.
const maxDateLines = 201

// scanPage walks the elements below root (a document node) in document
// order.
func scanPage(root *html.Node) *pageScan {
	s := &pageScan{}
	s.children(root, false)
	if len(s.bodies) > 1 {
		// The text of each body in turn (a body in a body twice).
		s.marks = marks{}
		s.marks.ref, s.marks.public = bodyMarks(s.bodies)
	}
	return s
}

func (s *pageScan) children(n *html.Node, pruned bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.ElementNode:
			s.element(c, pruned)
		case html.TextNode:
			if s.inBody > 0 {
				s.marks.text(c.Data)
			}
		}
	}
}

// element reads n and its subtree; pruned is set when an ancestor of n is
// noise.
func (s *pageScan) element(n *html.Node, pruned bool) {
	f, cls, id := attrFlags(n)
	main, article, body := false, false, false
	switch n.Data {
	case "link":
		if s.canonical == nil && f&aCanonical != 0 {
			s.canonical = n
		}
	case "meta":
		if s.ogTitle == nil && f&aOGTitle != 0 {
			s.ogTitle = n
		}
		for i, m := range dateMetaFlags {
			if s.dateMetas[i] == nil && f&m != 0 {
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
		if s.h1s[2] == nil && f&aFsHuge != 0 {
			s.h1s[2] = n
		}
		if s.h1s[3] == nil {
			s.h1s[3] = n
		}
	case "time":
		if hasAttr(n, "datetime") {
			s.times = append(s.times, n)
		}
	case "body":
		s.bodies = append(s.bodies, n)
		body = true
	case "main":
		main = true
	case "article":
		article = true
	}
	if len(s.dateLines) < maxDateLines && (n.Data == "p" || n.Data == "span" || f&aDateClass != 0) {
		s.dateLines = append(s.dateLines, n)
	}
	if !pruned {
		if f&aNoise != 0 || isNoiseTag(n) || n.Data == "header" || !main && !article && n.Data != "body" && n.Data != "html" && (isNoiseName(cls) || isNoiseName(id)) {
			s.noise = append(s.noise, n)
			pruned = true
		} else {
			switch n.Data {
			case "section":
				if f&(aContent|aCf) == aContent|aCf {
					s.known[0] = append(s.known[0], n)
				}
			case "div":
				if f&aJustified != 0 {
					s.known[1] = append(s.known[1], n)
				}
				if f&aJustified2 != 0 {
					s.known[2] = append(s.known[2], n)
				}
			case "article":
				if s.inMain > 0 {
					s.known[4] = append(s.known[4], n)
				}
				s.known[5] = append(s.known[5], n)
			case "p", "pre", "blockquote", "li":
				s.paras = append(s.paras, n)
			}
			if f&aArticleBody != 0 {
				s.known[3] = append(s.known[3], n)
			}
		}
	}
	if main {
		s.inMain++
	}
	if article {
		s.inArticle++
	}
	if body {
		s.inBody++
	}
	s.children(n, pruned)
	if main {
		s.inMain--
	}
	if article {
		s.inArticle--
	}
	if body {
		s.inBody--
	}
}
