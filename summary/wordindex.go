package summary

import (
	"math/bits"
	"math/rand/v2"
	"slices"
)

// wordIndex finds the whole-word occurrences of the patterns that start with
// a word rune.
//
// Such a pattern occurs whole-word only where a word of the text starts (see
// wordBounded), so it is not looked for at every rune, as Aho–Corasick would
// have to: texts and patterns are cut into tokens, alternately maximal runs
// of word runes (words) and of other runes (gaps), and the patterns make a
// trie over tokens. At each word start of the text, a scan looks the word up
// among the trie's first tokens, then walks on token by token for as long as
// the text agrees; there are no failure links, since every walk starts
// afresh at the next word. A step is one probe of a hash table keyed by
// (node, token), so what a scan costs depends on the text and on how far its
// words agree with the patterns, not on how many patterns there are.
//
// Tokens make the word boundaries: a text's word is maximal, so a pattern
// that ends with a word ends where the text's word ends; and a pattern that
// ends with a gap occurs where the text's gap starts with that gap (its
// next rune, whatever it is, cannot cut a word of the pattern).
type wordIndex struct {
	nodes []wiNode // node 0 is the root: the empty sequence of tokens
	toks  []rune   // the nodes' tokens, one after the other
	// slots is an open-addressing hash table (linear probing) from
	// (parent node, token's key) to node; its length is 1<<(64-shift).
	slots []wiSlot
	mask  uint32
	shift uint8
	// Random, so that no one can choose terms that collide: the
	// multiplier that picks a key's slot (odd), and where hashes start.
	mult, seed uint64
}

// wiNode is a sequence of tokens: its parent's, then one more.
type wiNode struct {
	tok, end int32 // its last token, toks[tok:end]
	pat      int32 // the pattern that is this sequence, -1 if none
	kids     bool  // it has children
	gapEnds  bool  // a child that is a gap is a pattern
}

// wiSlot is an entry of the hash table: the child node of parent whose
// token has key.
type wiSlot struct {
	key          uint64
	parent, node int32 // node 0: empty (the root is no one's child)
}

// newWordIndex indexes the patterns that start with a word rune; the others
// are left out, and pattern i is reported as i. The patterns must be
// distinct.
func newWordIndex(patterns [][]rune) *wordIndex {
	// At most one node per token: room for as many nodes, and a table at
	// most half full.
	ntok, nrunes := 0, 0
	for _, p := range patterns {
		if len(p) > 0 && isWordRune(p[0]) {
			for a := 0; a < len(p); a = tokenEnd(p, a) {
				ntok++
			}
			nrunes += len(p)
		}
	}
	x := &wordIndex{mult: rand.Uint64() | 1, seed: rand.Uint64()}
	x.nodes = append(make([]wiNode, 0, 1+ntok), wiNode{pat: -1})
	x.toks = make([]rune, 0, nrunes)
	b := bits.Len(uint(2*ntok) | 7)
	x.slots, x.mask, x.shift = make([]wiSlot, 1<<b), 1<<b-1, uint8(64-b)
	for i, p := range patterns {
		if len(p) == 0 || !isWordRune(p[0]) {
			continue
		}
		var parent, n int32 // n is the sequence of p's tokens so far
		for a, e := 0, 0; a < len(p); a = e {
			e = tokenEnd(p, a)
			tok := p[a:e]
			k := x.key(tok)
			c := x.lookup(n, k, tok)
			if c == 0 {
				c = int32(len(x.nodes))
				x.nodes = append(x.nodes, wiNode{tok: int32(len(x.toks)), end: int32(len(x.toks) + len(tok)), pat: -1})
				x.toks = append(x.toks, tok...)
				x.insert(n, k, c)
				x.nodes[n].kids = true
			}
			parent, n = n, c
		}
		x.nodes[n].pat = int32(i)
		if !isWordRune(p[len(p)-1]) {
			x.nodes[parent].gapEnds = true
		}
	}
	return x
}

// tokenEnd returns the end of the token of p that starts at a.
func tokenEnd(p []rune, a int) int {
	w := isWordRune(p[a])
	for a++; a < len(p) && isWordRune(p[a]) == w; a++ {
	}
	return a
}

// key returns the key of a token in the hash table: the token itself when
// it is short and ASCII (most words and gaps are): up to 8 runes, 7 bits
// each, and their number above them; else a hash of its runes with the top
// bit set (never a number of runes), which a lookup checks against the
// token.
func (x *wordIndex) key(tok []rune) uint64 {
	var k uint64
	or := uint32(0)
	for _, r := range tok {
		k = k<<7 | uint64(uint32(r))
		or |= uint32(r)
	}
	return x.finish(k, or, tok)
}

// finish returns the key of tok from k, its runes packed as key packs them,
// and or, the bitwise or of its runes.
func (x *wordIndex) finish(k uint64, or uint32, tok []rune) uint64 {
	if len(tok) <= 8 && or < 128 {
		return k | uint64(len(tok))<<56
	}
	return x.hash(tok, or < 128)
}

// hash returns the key of a token that is not short and ASCII, with the top
// bit set: FNV-1a from x.seed, over its runes, or when they are all ASCII
// over words of 8 of them.
func (x *wordIndex) hash(tok []rune, ascii bool) uint64 {
	const prime = 1099511628211
	h := x.seed ^ uint64(len(tok))
	if !ascii {
		for _, r := range tok {
			h = (h ^ uint64(uint32(r))) * prime
		}
		return h | 1<<63
	}
	for ; len(tok) >= 8; tok = tok[8:] {
		c := uint64(tok[0])<<49 | uint64(tok[1])<<42 | uint64(tok[2])<<35 | uint64(tok[3])<<28 |
			uint64(tok[4])<<21 | uint64(tok[5])<<14 | uint64(tok[6])<<7 | uint64(tok[7])
		h = (h ^ c) * prime
	}
	var c uint64
	for _, r := range tok {
		c = c<<7 | uint64(r)
	}
	return (h^c)*prime | 1<<63
}

// slot returns where the probes for (n, k) start: multiply-shift hashing
// of k and n together.
func (x *wordIndex) slot(n int32, k uint64) uint32 {
	return uint32((k^uint64(uint32(n))*0x9e3779b97f4a7c15)*x.mult>>x.shift) & x.mask
}

// lookup returns the child of node n whose token is tok (whose key is k),
// 0 if none.
func (x *wordIndex) lookup(n int32, k uint64, tok []rune) int32 {
	for i := x.slot(n, k); ; i = (i + 1) & x.mask {
		s := &x.slots[i]
		if s.node == 0 {
			return 0
		}
		if s.key == k && s.parent == n {
			if c := &x.nodes[s.node]; k < 1<<63 || slices.Equal(x.toks[c.tok:c.end], tok) {
				return s.node
			}
		}
	}
}

// insert adds node c, the child of n whose token's key is k.
func (x *wordIndex) insert(n int32, k uint64, c int32) {
	i := x.slot(n, k)
	for x.slots[i].node != 0 {
		i = (i + 1) & x.mask
	}
	x.slots[i] = wiSlot{k, n, c}
}

// wiWord is a word of a text, text[start:end], with its key.
type wiWord struct {
	start, end int32
	key        uint64
}

// scan appends to out the whole-word occurrences in text of the indexed
// patterns, as (pattern, end), ordered by start then end. words is a
// buffer for the text's words, returned for reuse.
func (x *wordIndex) scan(text []rune, words []wiWord, out []acHit) ([]wiWord, []acHit) {
	// First the words, with their keys.
	words = words[:0]
	var k uint64          // the runes of the word so far, packed as key packs them
	n, or := 0, uint32(0) // its length, the bitwise or of its runes
	for j, r := range text {
		// m is all ones for a word rune, else 0: the one branch that
		// depends on where words are is the one at the end of a word.
		var m uint64
		if uint32(r) < 128 {
			m = wordMask[r]
		} else if isWordRuneU(r) {
			m = ^uint64(0)
		}
		if uint64(n)&^m != 0 {
			words = append(words, wiWord{int32(j - n), int32(j), x.finish(k, or, text[j-n:j])})
		}
		k = (k<<7 | uint64(uint32(r))) & m
		or = (or | uint32(r)) & uint32(m)
		n = (n + 1) & int(m)
	}
	if n > 0 {
		words = append(words, wiWord{int32(len(text) - n), int32(len(text)), x.finish(k, or, text[len(text)-n:])})
	}
	// Then, at each word, the walk from the root.
	for w := range words {
		if c := x.lookup(0, words[w].key, text[words[w].start:words[w].end]); c != 0 {
			out = x.walk(text, words[w:], c, out)
		}
	}
	return words, out
}

// walk appends the occurrences of node c's sequence of tokens, which text
// holds up to the end of words[0], and of its descendants.
func (x *wordIndex) walk(text []rune, words []wiWord, c int32, out []acHit) []acHit {
	for w := 0; ; w++ {
		n := &x.nodes[c]
		j := int(words[w].end)
		if n.pat >= 0 {
			out = append(out, acHit{n.pat, int32(j)})
		}
		if !n.kids || j == len(text) {
			return out
		}
		// The gap text[j:k]. A pattern that ends with a gap occurs where
		// the text's gap starts with that gap: when a child gap is a
		// pattern, look up the gap's shorter starts too.
		k := len(text)
		if w+1 < len(words) {
			k = int(words[w+1].start)
		}
		if n.gapEnds {
			for e := j + 1; e < k; e++ {
				if g := x.lookup(c, x.key(text[j:e]), text[j:e]); g != 0 && x.nodes[g].pat >= 0 {
					out = append(out, acHit{x.nodes[g].pat, int32(e)})
				}
			}
		}
		g := x.lookup(c, x.key(text[j:k]), text[j:k])
		if g == 0 {
			return out
		}
		if pat := x.nodes[g].pat; pat >= 0 {
			out = append(out, acHit{pat, int32(k)})
		}
		if !x.nodes[g].kids || k == len(text) {
			return out
		}
		// The next word.
		next := &words[w+1]
		if c = x.lookup(g, next.key, text[next.start:next.end]); c == 0 {
			return out
		}
	}
}

// wordMask is, for each ASCII rune, all ones if it is a word rune, else 0.
var wordMask = func() (t [128]uint64) {
	for r := range t {
		if isWordRune(rune(r)) {
			t[r] = ^uint64(0)
		}
	}
	return t
}()
