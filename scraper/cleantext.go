package scraper

import (
	"bytes"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// The helpers here are the allocation-free forms of what extraction does on
// every text node and block of a page; each gives exactly what the plain
// form it replaces gives (noted on each).

// isCleanSpace reports the runes clean treats as white space.
func isCleanSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '\f' || r == '\v' || r == '\u200b'
}

// clean collapses white space (NBSP included) and trims: the words of s
// (split at isCleanSpace runes) joined by single spaces. Text that is clean
// already is returned as it is, without a copy.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	appendClean(&b, s)
	return b.String()
}

// isClean reports whether clean(s) == s: no space at either end, and
// between words only single ASCII spaces.
func isClean(s string) bool {
	prevSpace := true // a space first is not clean
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

// appendClean writes the words of s to b, a space before every word but
// the first one b gets (b empty: none).
func appendClean(b *strings.Builder, s string) {
	start := -1
	for i, r := range s {
		if isCleanSpace(r) {
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

// cleanBytes is clean(string(b)).
func cleanBytes(b []byte) string {
	// A view of b, not a copy: isClean and appendClean only read it.
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if isClean(s) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b))
	appendClean(&sb, s)
	return sb.String()
}

// cleanText is clean of the text of n's subtree (goquery's Text), or ok
// false when that is longer than limit bytes: a long block is not read to
// its end. buf is scratch space, returned for reuse.
func cleanText(n *html.Node, limit int, buf []byte) (string, bool, []byte) {
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
				if isCleanSpace(r) {
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
		// Text split inside a rune across nodes: the plain way.
		t := clean(nodeText(n))
		return t, len(t) <= limit, out
	}
	if len(out) > limit {
		return "", false, out
	}
	return string(out), true, out
}

// stripped writes the text nodes under the nodes, in document order, with
// every isCleanSpace rune left out, to b.
func stripped(b []byte, nodes []*html.Node) []byte {
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			// Runs of bytes between separators are copied whole: the
			// separators are ASCII white space, NBSP (C2 A0) and U+200B
			// (E2 80 8B); any other byte is kept, as DecodeRune's
			// RuneError keeps an invalid one.
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

// joinedLen is len(strings.Join(ps, sep)) for a one-byte sep.
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

// containsFoldASCII reports whether b holds needle, ASCII letters compared
// without case. needle is lower case ASCII without the letters k, s and i
// (whose Unicode folds leave ASCII), so this is
// bytes.Contains(bytes.ToLower(b), needle).
func containsFoldASCII(b []byte, needle string) bool {
	// needle starts with "<": only there can it start.
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

// compileAll compiles CSS selectors once, as goquery would on every call.
func compileAll(sels ...string) []cascadia.Selector {
	out := make([]cascadia.Selector, len(sels))
	for i, s := range sels {
		out[i] = cascadia.MustCompile(s)
	}
	return out
}

// textContains reports whether the text of the nodes (goquery's Text: every
// text node below them, in order, concatenated) holds lit, which must not
// repeat its first byte (so that a failed partial match can only restart
// at that byte).
func textContains(nodes []*html.Node, lit string) bool {
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
