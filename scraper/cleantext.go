package scraper

import (
	"strings"

	"golang.org/x/net/html"
)

// isCleanSpace reports the runes clean treats as white space.
func isCleanSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '\f' || r == '\v' || r == '\u200b'
}

// clean collapses white space (NBSP and U+200B included) and trims: the
// words of s joined by single spaces.
func clean(s string) string {
	var b strings.Builder
	for w := range strings.FieldsFuncSeq(s, isCleanSpace) {
		if b.Len() == 0 {
			b.Grow(len(s))
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// shortText is clean of the text of n's subtree, and whether that is at
// most limit bytes. A long block, or a large one, is not read to its end.
func shortText(n *html.Node, limit int) (string, bool) {
	var b []byte
	nodes := 0
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		// A line is a few nodes, not thousands.
		if nodes++; nodes > 4*limit {
			return false
		}
		if n.Type == html.TextNode {
			b = append(b, n.Data...)
			// Raw text this long is no short line, however much of it is
			// white space.
			if len(b) > 16*limit {
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
	if !walk(n) {
		return "", false
	}
	t := clean(string(b))
	return t, len(t) <= limit
}

// joinedLen is the length of ps joined by one-byte separators, without
// joining them.
func joinedLen(ps []string) int {
	n := 0
	for i, p := range ps {
		if i > 0 {
			n++
		}
		n += len(p)
	}
	return n
}

// appendText appends the text of n's subtree (goquery's Text) to b.
func appendText(b []byte, n *html.Node) []byte {
	if n.Type == html.TextNode {
		b = append(b, n.Data...)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b = appendText(b, c)
	}
	return b
}

// appendLinkText appends the text of the links below n to b: how much of
// a block is links tells navigation from an article. A link inside a link
// counts twice.
func appendLinkText(b []byte, n *html.Node) []byte {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "a" {
			b = appendText(b, c)
		}
		b = appendLinkText(b, c)
	}
	return b
}
