package summary

import (
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"
)

// foldRune maps r to the runes it is compared as: lower case after Unicode
// simple folding, Latin diacritics removed (ă→a, ș→s, ß→ss, æ→ae),
// typographic apostrophes and hyphens made ASCII. It returns n = 0 for a
// combining mark (dropped), else n runes in a (and b).
func foldRune(r rune) (a, b rune, n int) {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r, 0, 1
	}
	if unicode.Is(unicode.Mn, r) {
		return 0, 0, 0
	}
	// The smallest rune of the simple-folding orbit, lowered, is one
	// representative for all of them ("K", "k" and KELVIN SIGN → "k").
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	m = unicode.ToLower(m)
	if x, ok := foldTable()[m]; ok {
		return x[0], x[1], x.n()
	}
	return m, 0, 1
}

// pair is one or two runes; the second is 0 when unused.
type pair [2]rune

func (p pair) n() int {
	if p[1] == 0 {
		return 1
	}
	return 2
}

// foldTable maps lower-case letters with diacritics, ligatures and
// typographic punctuation to plain ASCII. Built from foldGroups on first
// use: a command that folds no text (a once with nothing new) pays nothing.
var foldTable = sync.OnceValue(func() map[rune]pair {
	m := make(map[rune]pair)
	for to, from := range foldGroups {
		var p pair
		for i, r := range to {
			p[i] = r
		}
		for _, r := range from {
			m[r] = p
		}
	}
	return m
})

// foldGroups lists, for each replacement, the lower-case runes it replaces:
// Latin-1 Supplement, Latin Extended-A and the common Extended-B letters
// (Romanian ș ț, Croatian đ, Pinyin tone marks).
var foldGroups = map[string]string{
	"a":  "àáâãäåāăąǎǟǡǻȁȃȧ",
	"c":  "çćĉċč",
	"d":  "ďđð",
	"e":  "èéêëēĕėęěȅȇȩ",
	"g":  "ĝğġģǧǵ",
	"h":  "ĥħȟ",
	"i":  "ìíîïĩīĭįıǐȉȋ",
	"j":  "ĵǰ",
	"k":  "ķǩ",
	"l":  "ĺļľŀł",
	"n":  "ñńņňŉǹ",
	"o":  "òóôõöøōŏőǒǫǭǿȍȏȫȭȯȱ",
	"r":  "ŕŗřȑȓ",
	"s":  "śŝşšș",
	"t":  "ţťŧț",
	"u":  "ùúûüũūŭůűųǔǖǘǚǜȕȗ",
	"w":  "ŵ",
	"y":  "ýÿŷȳ",
	"z":  "źżžƶ",
	"ss": "ß",
	"ae": "æǣǽ",
	"oe": "œ",
	"ij": "ĳ",
	"th": "þ",
	"'":  "‘’‚‛′ʼ",
	"-":  "‐‑",
}

// folded is a string folded for matching, with the byte range of the
// original text that each folded rune stands for. Runs of whitespace fold to
// one ' ', whose range covers the whole run; a dropped combining mark widens
// the range of the rune before it.
type folded struct {
	runes []rune
	start []int32
	end   []int32
}

func (f *folded) reset() {
	f.runes, f.start, f.end = f.runes[:0], f.start[:0], f.end[:0]
}

func (f *folded) add(r rune, s, e int) {
	f.runes = append(f.runes, r)
	f.start = append(f.start, int32(s))
	f.end = append(f.end, int32(e))
}

// fold appends the folded form of s to f (after reset, offsets are into s).
func (f *folded) fold(s string) { f.foldAt(s, 0) }

// foldAt is fold, with offsets into a text in which s starts at base.
func (f *folded) foldAt(s string, base int) {
	if n := len(f.runes) + len(s); cap(f.runes) < n {
		f.runes = append(make([]rune, 0, n), f.runes...)
		f.start = append(make([]int32, 0, n), f.start...)
		f.end = append(make([]int32, 0, n), f.end...)
	}
	for i := 0; i < len(s); i++ {
		// ASCII first: most text is.
		c := s[i]
		if c >= utf8.RuneSelf {
			f.foldFrom(s, i, base)
			return
		}
		if asciiSpace[c] {
			if k := len(f.runes) - 1; k >= 0 && f.runes[k] == ' ' {
				f.end[k] = int32(base + i + 1)
				continue
			}
			f.add(' ', base+i, base+i+1)
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		f.add(rune(c), base+i, base+i+1)
	}
}

// foldFrom folds s[from:], any rune.
func (f *folded) foldFrom(s string, from, base int) {
	for i, r := range s[from:] {
		i += from
		e := i + utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, w := utf8.DecodeRuneInString(s[i:])
			e = i + w
		}
		i, e := base+i, base+e
		if unicode.IsSpace(r) {
			if k := len(f.runes) - 1; k >= 0 && f.runes[k] == ' ' {
				f.end[k] = int32(e)
				continue
			}
			f.add(' ', i, e)
			continue
		}
		a, b, n := foldRune(r)
		switch n {
		case 0:
			if k := len(f.runes) - 1; k >= 0 {
				f.end[k] = int32(e)
			}
		case 1:
			f.add(a, i, e)
		case 2:
			f.add(a, i, e)
			f.add(b, i, e)
		}
	}
}

// foldString returns the folded runes of s.
func foldString(s string) []rune {
	var f folded
	f.fold(s)
	return f.runes
}

// isWordRune reports whether r is part of a word for boundary checks.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return isWordRuneU(r)
}

// isWordRuneU is isWordRune beyond ASCII (apart, so that isWordRune is
// inlined).
func isWordRuneU(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// asciiWord is isWordRune for ASCII: letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// joinedLen is len(joinWords(p, ws)).
func joinedLen(ws []span) int {
	n := len(ws) - 1
	for _, w := range ws {
		n += w.e - w.s
	}
	return n
}

// foldWords folds the sentence joinWords(p, ws) without building it:
// offsets are into that sentence, as fold's would be.
func (f *folded) foldWords(p string, ws []span) {
	if len(ws) == 0 {
		return
	}
	if first, last := ws[0].s, ws[len(ws)-1].e; last-first == joinedLen(ws) {
		// One byte of white space between words, as is usual: folding
		// the text as it is gives the same runes and offsets (fold reads
		// any ASCII space as the joining space).
		f.foldAt(p[first:last], 0)
		return
	}
	off := 0 // where the word starts in the joined sentence
	for k, w := range ws {
		if k > 0 {
			// The space joinWords puts between words, as fold reads it.
			if last := len(f.runes) - 1; last >= 0 && f.runes[last] == ' ' {
				f.end[last] = int32(off + 1)
			} else {
				f.add(' ', off, off+1)
			}
			off++
		}
		f.foldAt(p[w.s:w.e], off)
		off += w.e - w.s
	}
}

// appendFolded appends the folded runes of s to runes: what fold appends
// to f.runes, without the offsets.
func appendFolded(runes []rune, s string) []rune {
	n := len(runes)
	runes = slices.Grow(runes, len(s))[:n+len(s)] // ASCII: a rune a byte at most
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return appendFoldedFrom(runes[:n], s[i:])
		case asciiSpace[c]:
			if n > 0 && runes[n-1] == ' ' {
				continue
			}
			c = ' '
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		runes[n] = rune(c)
		n++
	}
	return runes[:n]
}

// appendFoldedFrom is appendFolded for any rune (foldFrom).
func appendFoldedFrom(runes []rune, s string) []rune {
	for _, r := range s {
		if unicode.IsSpace(r) {
			if k := len(runes) - 1; k >= 0 && runes[k] == ' ' {
				continue
			}
			runes = append(runes, ' ')
			continue
		}
		a, b, n := foldRune(r)
		switch n {
		case 1:
			runes = append(runes, a)
		case 2:
			runes = append(runes, a, b)
		}
	}
	return runes
}

// appendFoldedWords appends the folded runes of the sentence joinWords(p,
// ws) to runes: what foldWords appends to f.runes, without the offsets.
func appendFoldedWords(runes []rune, p string, ws []span) []rune {
	if len(ws) == 0 {
		return runes
	}
	if first, last := ws[0].s, ws[len(ws)-1].e; last-first == joinedLen(ws) {
		return appendFolded(runes, p[first:last])
	}
	for k, w := range ws {
		if k > 0 {
			if last := len(runes) - 1; last < 0 || runes[last] != ' ' {
				runes = append(runes, ' ')
			}
		}
		runes = appendFolded(runes, p[w.s:w.e])
	}
	return runes
}
