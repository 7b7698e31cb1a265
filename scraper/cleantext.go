package scraper

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"

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
// bytes.Contains(bytes.ToLower(b), needle). It looks from the end of b
// (where a closing tag is) when fromEnd is set.
func containsFoldASCII(b []byte, needle string, fromEnd bool) bool {
	// needle starts with "<": only there can it start.
	if fromEnd {
		for end := len(b); ; {
			i := bytes.LastIndexByte(b[:end], needle[0])
			if i < 0 {
				return false
			}
			if hasFoldPrefix(b[i:], needle) {
				return true
			}
			end = i
		}
	}
	for i := 0; ; i++ {
		j := bytes.IndexByte(b[i:], needle[0])
		if j < 0 {
			return false
		}
		i += j
		if hasFoldPrefix(b[i:], needle) {
			return true
		}
	}
}

// hasFoldPrefix reports whether b starts with needle (lower-case ASCII),
// ASCII letters compared without case.
func hasFoldPrefix(b []byte, needle string) bool {
	if len(b) < len(needle) {
		return false
	}
	for j := 0; j < len(needle); j++ {
		c := b[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != needle[j] {
			return false
		}
	}
	return true
}

// cleanInPlace rewrites b as clean(string(b)) and returns it: b's
// storage, as long as the clean text.
func cleanInPlace(b []byte) []byte {
	w, r, n := 0, 0, len(b)
	for {
		for r < n { // white space
			k := 1
			if c := cleanClass[b[r]]; c == 0 {
				break
			} else if c == 2 {
				if k = spaceAt(b, r); k == 0 {
					break
				}
			}
			r += k
		}
		if r == n {
			return b[:w]
		}
		if w > 0 {
			b[w] = ' ' // w < r: at least one separator was passed
			w++
		}
		e := runEnd(b, r)
		if w != r {
			copy(b[w:], b[r:e])
		}
		w += e - r
		r = e
	}
}

// wordEnd is where the word that starts at b[i] ends: the next isCleanSpace
// rune, or len(b).
func wordEnd(b []byte, i int) int {
	for i < len(b) {
		switch cleanClass[b[i]] {
		case 0:
			i++
			continue
		case 2:
			if spaceAt(b, i) == 0 {
				i++
				continue
			}
		}
		break
	}
	return i
}

// runEnd is where the run of words that starts at b[i] (a word's first
// byte) ends: words with single spaces between them, clean already.
func runEnd(b []byte, i int) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
		low7 = 0x7f7f7f7f7f7f7f7f
	)
	for {
		// Eight bytes at a time while they are printable ASCII without
		// two spaces in a row. Each mask has the high bit of the bytes it
		// tells (no carry crosses a byte): lt21 those below 0x21, spaces
		// those that are ' '.
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			lt21 := ^((x & low7) + 0x5f*ones | x) & high
			y := x ^ 0x20*ones
			spaces := ^((y & low7) + low7 | y) & high
			if x&high|lt21&^spaces != 0 || spaces&(spaces<<8) != 0 {
				break
			}
			if spaces>>63 != 0 {
				i += 7 // a space last: the byte after it decides
			} else {
				i += 8
			}
		}
		e := wordEnd(b, i)
		if e+1 < len(b) && b[e] == ' ' && spaceAt(b, e+1) == 0 {
			i = e + 1 // one space, then a word
			continue
		}
		return e
	}
}

// cleanClass sorts bytes for clean: 1 is ASCII white space, 2 a byte that
// may start a NBSP or U+200B, 0 any other.
var cleanClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\r\f\v") {
		t[c] = 1
	}
	t[0xC2], t[0xE2] = 2, 2
	return t
}()

// spaceAt is the length of the isCleanSpace rune at b[i], 0 if there is
// none. Decoding b from its start, as clean does, starts a rune at every
// 0xC2 and 0xE2 byte (neither is a continuation byte), so a byte test is
// enough; the other runes are words' bytes whichever way they decode.
func spaceAt(b []byte, i int) int {
	switch c := b[i]; c {
	case ' ', '\t', '\n', '\r', '\f', '\v':
		return 1
	case 0xC2:
		if i+1 < len(b) && b[i+1] == 0xA0 {
			return 2
		}
	case 0xE2:
		if i+2 < len(b) && b[i+1] == 0x80 && b[i+2] == 0x8B {
			return 3
		}
	}
	return 0
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

// appendLinkText appends the text of the links below n to b: goquery's
// Find("a").Text(), where a link inside a link counts twice.
func appendLinkText(b []byte, n *html.Node) []byte {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "a" {
			b = appendText(b, c)
		}
		b = appendLinkText(b, c)
	}
	return b
}

// Two literals bodyMarks looks for: "Press Release (" in the text of the
// body, and "Distributed by Public" in it with its white space left out.
const (
	refMark    = "Press Release ("
	publicMark = "DistributedbyPublic"
)

// bodyMarks reports whether the text of the nodes (every text node below
// them, in order, concatenated) holds refMark, and whether the text with
// every isCleanSpace rune of each text node left out holds publicMark.
// Neither literal repeats its first byte, so a failed partial match can only
// restart at that byte.
func bodyMarks(nodes []*html.Node) (ref, public bool) {
	var m marks
	for _, n := range nodes {
		if m.walk(n) {
			break
		}
	}
	return m.ref, m.public
}

type marks struct {
	ref, public bool
	i, j        int // refMark[:i], publicMark[:j] matched so far
}

// walk reads n's subtree; true once both literals are found.
func (m *marks) walk(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		m.text(n.Data)
		return m.ref && m.public
	case html.ElementNode, html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if m.walk(c) {
				return true
			}
		}
	}
	return false
}

// text reads the next text node.
func (m *marks) text(d string) {
	if !m.ref {
		m.scanRef(d)
	}
	if !m.public {
		m.scanPublic(d)
	}
}

func (m *marks) scanRef(d string) {
	for k := 0; k < len(d); k++ {
		if m.i == 0 {
			// Only the first byte can start a match.
			x := strings.IndexByte(d[k:], refMark[0])
			if x < 0 {
				return
			}
			k += x
		}
		switch c := d[k]; {
		case c == refMark[m.i]:
			if m.i++; m.i == len(refMark) {
				m.ref = true
				return
			}
		case c == refMark[0]:
			m.i = 1
		default:
			m.i = 0
		}
	}
}

// scanPublic matches publicMark against d without its separators: ASCII
// white space, NBSP (C2 A0) and U+200B (E2 80 8B) whole in d.
func (m *marks) scanPublic(d string) {
	for k := 0; k < len(d); k++ {
		if m.j == 0 {
			x := strings.IndexByte(d[k:], publicMark[0])
			if x < 0 {
				return
			}
			k += x
		}
		switch c := d[k]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			continue
		case c == 0xC2 && k+1 < len(d) && d[k+1] == 0xA0:
			k++
			continue
		case c == 0xE2 && k+2 < len(d) && d[k+1] == 0x80 && d[k+2] == 0x8B:
			k += 2
			continue
		case c == publicMark[m.j]:
			if m.j++; m.j == len(publicMark) {
				m.public = true
				return
			}
		case c == publicMark[0]:
			m.j = 1
		default:
			m.j = 0
		}
	}
}

// prefixes are the literal texts (lower-case ASCII) the matches of a
// case-insensitive regular expression (?i)^… start with, one for each
// alternative, and the bytes they start with.
type prefixes struct {
	list  []string
	first [utf8.RuneSelf]bool
}

func newPrefixes(list ...string) *prefixes {
	p := &prefixes{list: list}
	for _, s := range list {
		p.first[s[0]] = true
	}
	return p
}

// foldPrefixed is false when no match of the expression can start t: t
// starts with ASCII that begins none of the prefixes, in any case. Case
// folding can join a non-ASCII rune to an ASCII letter ("ſ" to "s", "K" to
// "k"): a non-ASCII byte where it could stand gives true.
func foldPrefixed(t string, ps *prefixes) bool {
	if t == "" {
		return false // no prefix is empty
	}
	c := t[0]
	if c >= utf8.RuneSelf {
		return true
	}
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	if !ps.first[c] {
		return false
	}
	for _, p := range ps.list {
		if len(t) < len(p) {
			continue // a fold of p is no shorter than p
		}
		j := 0
		for ; j < len(p); j++ {
			c := t[j]
			if c >= utf8.RuneSelf {
				return true
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != p[j] {
				break
			}
		}
		if j == len(p) {
			return true
		}
	}
	return false
}
