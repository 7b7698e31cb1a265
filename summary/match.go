package summary

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/natowatch/natowatch/release"
)

// Watch is a named set of terms; Role is copied into matches.
type Watch struct {
	Name    string
	Terms   []string
	Exclude []string
	Role    string
}

// Matcher matches many watches against a release. It is immutable after
// NewMatcher and safe for concurrent use.
type Matcher struct {
	regexes []regexTerm // terms written /…/, matched apart from the others
	watches []Watch
	// The watch terms each pattern stands for: refs[refAt[p]:refAt[p+1]].
	refAt []int32
	refs  []termRef
	// Patterns are found whole-word: those that start with a word rune
	// only at a word start, through words; the others (such as ".", "-led"
	// or "(nato)") anywhere, through ac (nil when there are none).
	words   *wordIndex
	ac      *acMachine
	plen    []int32 // length in runes of each pattern
	hasExcl []bool  // per watch
}

// regexTerm is a watch term written as a regular expression.
type regexTerm struct {
	watch   int
	term    int
	exclude bool
	re      *regexp.Regexp
}

// IsRegexTerm reports whether a term is written /…/ (a regular expression).
func IsRegexTerm(term string) bool {
	t := strings.TrimSpace(term)
	return len(t) >= 3 && strings.HasPrefix(t, "/") && strings.HasSuffix(t, "/")
}

// compileTerm compiles a /…/ term: RE2 syntax, case-insensitive.
func compileTerm(term string) (*regexp.Regexp, error) {
	t := strings.TrimSpace(term)
	re, err := regexp.Compile("(?i)" + t[1:len(t)-1])
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid regular expression: %w", t, err)
	}
	if re.MatchString("") {
		return nil, fmt.Errorf("%s matches empty text", t)
	}
	return re, nil
}

// CheckTerm reports what is wrong with a watch term, for callers that
// validate input before saving it.
func CheckTerm(term string) error {
	if IsRegexTerm(term) {
		_, err := compileTerm(term)
		return err
	}
	if strings.TrimSpace(string(foldString(term))) == "" {
		return ErrEmptyTerm
	}
	return nil
}

// termRef is one watch term behind a pattern.
type termRef struct {
	watch   int32
	term    int32 // index into Terms or Exclude
	exclude bool
}

// Errors of NewMatcher, wrapped with the watch they concern.
var (
	ErrEmptyTerm     = errors.New("empty term")
	ErrNoTerms       = errors.New("watch has no terms")
	ErrDuplicateName = errors.New("duplicate watch name")
	ErrEmptyName     = errors.New("watch has no name")
)

// NewMatcher checks the watches and indexes all their terms and excludes
// for one pass over a text. It reports every problem at once.
func NewMatcher(watches []Watch) (*Matcher, error) {
	m := &Matcher{
		watches: append([]Watch(nil), watches...),
		hasExcl: make([]bool, len(watches)),
	}
	var errs []error
	index := make(map[string]int32) // folded pattern → pattern id
	seen := make(map[string]bool)
	var pats [][]rune
	var refs [][]termRef // per pattern
	add := func(w, t int, term string, exclude bool) {
		if IsRegexTerm(term) {
			re, err := compileTerm(term)
			if err != nil {
				errs = append(errs, fmt.Errorf("summary: watch %q: %w", watches[w].Name, err))
				return
			}
			m.regexes = append(m.regexes, regexTerm{watch: w, term: t, exclude: exclude, re: re})
			return
		}
		key := strings.TrimSpace(string(foldString(term)))
		if key == "" {
			kind := "term"
			if exclude {
				kind = "exclude term"
			}
			errs = append(errs, fmt.Errorf("summary: watch %q: %s %d: %w", watches[w].Name, kind, t+1, ErrEmptyTerm))
			return
		}
		id, ok := index[key]
		if !ok {
			id = int32(len(pats))
			index[key] = id
			pats = append(pats, []rune(key))
			refs = append(refs, nil)
		}
		refs[id] = append(refs[id], termRef{int32(w), int32(t), exclude})
	}
	for w, wt := range watches {
		name := strings.TrimSpace(wt.Name)
		switch {
		case name == "":
			errs = append(errs, fmt.Errorf("summary: watch %d: %w", w+1, ErrEmptyName))
		case seen[name]:
			errs = append(errs, fmt.Errorf("summary: watch %q: %w", name, ErrDuplicateName))
		}
		seen[name] = true
		if len(wt.Terms) == 0 {
			errs = append(errs, fmt.Errorf("summary: watch %q: %w", wt.Name, ErrNoTerms))
		}
		for t, term := range wt.Terms {
			add(w, t, term, false)
		}
		for t, term := range wt.Exclude {
			add(w, t, term, true)
			m.hasExcl[w] = true
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m.words = newWordIndex(pats)
	m.plen = make([]int32, len(pats))
	var others [][]rune // the patterns that start with another rune
	for i, p := range pats {
		m.plen[i] = int32(len(p))
		if !isWordRune(p[0]) {
			if others == nil {
				others = make([][]rune, len(pats)) // pattern i stays i; nil is left out
			}
			others[i] = p
		}
	}
	if others != nil {
		m.ac = newACMachine(others)
	}
	m.refAt = make([]int32, len(refs)+1)
	for id, rs := range refs {
		m.refAt[id] = int32(len(m.refs))
		m.refs = append(m.refs, rs...)
	}
	m.refAt[len(refs)] = int32(len(m.refs))
	return m, nil
}

// Match returns one release.Match per watch that matched, in watch order.
// The title is the first sentence searched, then the body's sentences; a
// watch's match is in the first sentence that holds any of its terms, at the
// earliest (then longest) occurrence there. An exclude term anywhere in the
// title or body vetoes the watch. See the package doc for folding and word
// boundaries.
func (m *Matcher) Match(r *release.Release) []release.Match {
	if m == nil || len(m.watches) == 0 || r == nil {
		return nil
	}
	ms := matchScratches.Get().(*matchScratch)
	defer ms.free()
	ms.start(r)

	hits := ms.hits[:0]
	for range m.watches {
		hits = append(hits, matchHit{sentence: -1})
	}
	ms.hits = hits
	ms.vetoed = zeroed(ms.vetoed, len(m.watches))
	vetoed := ms.vetoed
	// pending counts watches whose outcome can still change: not vetoed,
	// and either without a hit or with exclude terms still to look for.
	pending := len(m.watches)
	firsts := ms.firsts[:0] // watches without excludes first hit in this sentence
	ms.done = zeroed(ms.done, len(m.refAt)-1)
	done := ms.done // per pattern: a whole-word occurrence was seen

	for si := 0; pending > 0; si++ {
		for si == len(ms.sents) {
			// Split the next paragraph into sentences, unless it holds no
			// new whole-word occurrence (as regular expressions look at
			// every sentence, not with them).
			pp, ok := ms.nextParagraph()
			if !ok {
				break
			}
			if len(m.regexes) > 0 || m.mayHit(ms, pp) {
				ms.addSentences(pp)
			}
		}
		if si == len(ms.sents) {
			break
		}
		s := &ms.sents[si]
		ms.runes = appendFoldedWords(ms.runes[:0], s.p, s.ws)
		runes := ms.runes
		firsts = firsts[:0]
		// Every whole-word occurrence in the sentence, then what they
		// mean. (Stopping once pending is 0 would change nothing: within a
		// sentence only a veto lowers it, so then every watch is vetoed or
		// was settled in an earlier sentence.) The order of the
		// occurrences does not matter: a watch's hit is the earliest, then
		// longest, of its occurrences in the first sentence that has one
		// (two occurrences that start and end alike are of one pattern,
		// whose terms are taken in the order of refs), and a veto is a
		// veto.
		ms.words, ms.occ = m.occurrences(runes, ms.words, ms.occ[:0])
		for _, o := range ms.occ {
			p, end := o.pat, int(o.end)
			if done[p] {
				continue
			}
			start := end - int(m.plen[p])
			// After this occurrence, every watch of p is vetoed or has a
			// hit no later than here; a later occurrence of p (further on,
			// with a later start) can change nothing.
			done[p] = true
			for _, ref := range m.refs[m.refAt[p]:m.refAt[p+1]] {
				w := int(ref.watch)
				if vetoed[w] {
					continue
				}
				h := &hits[w]
				switch {
				case ref.exclude:
					vetoed[w] = true
					pending--
				case h.sentence < 0:
					*h = matchHit{si, start, end, ref.term}
					if !m.hasExcl[w] {
						firsts = append(firsts, w)
					}
				case h.sentence == si && (start < h.start || start == h.start && end > h.end):
					*h = matchHit{si, start, end, ref.term}
				}
			}
		}
		pending -= len(firsts) // their hit is final once the sentence is done
	}
	ms.firsts = firsts

	// Regular-expression terms: an exclude anywhere vetoes; a term counts
	// when it matches in an earlier sentence than the other terms' hit.
	type rxHit struct {
		sentence, start, end, term int
	}
	var rx map[int]rxHit
	if len(m.regexes) > 0 {
		rx = make(map[int]rxHit)
	}
	for _, rt := range m.regexes {
		if vetoed[rt.watch] {
			continue
		}
		last := ms.all() - 1
		if !rt.exclude && hits[rt.watch].sentence >= 0 {
			last = hits[rt.watch].sentence
		}
		for si := 0; si <= last; si++ {
			loc := rt.re.FindStringIndex(ms.sents[si].String())
			if loc == nil {
				continue
			}
			if rt.exclude {
				vetoed[rt.watch] = true
				break
			}
			if prev, ok := rx[rt.watch]; !ok || prev.sentence > si {
				rx[rt.watch] = rxHit{si, loc[0], loc[1], rt.term}
			}
			break
		}
	}

	var out []release.Match
	for w, h := range hits {
		if vetoed[w] {
			continue
		}
		r, ok := rx[w]
		if ok && h.sentence == r.sentence {
			// Both in one sentence: the earlier occurrence wins.
			starts, _ := ms.offsets(h.sentence)
			ok = r.start < int(starts[h.start])
		}
		if ok {
			out = append(out, release.Match{Watch: m.watches[w].Name, Term: m.watches[w].Terms[r.term],
				Sentence: ms.sents[r.sentence].String(), Start: r.start, End: r.end, Role: m.watches[w].Role})
			continue
		}
		if h.sentence < 0 {
			continue
		}
		s := ms.sents[h.sentence].String()
		starts, ends := ms.offsets(h.sentence)
		out = append(out, release.Match{
			Watch:    m.watches[w].Name,
			Term:     m.watches[w].Terms[h.term],
			Sentence: s,
			Start:    int(starts[h.start]),
			End:      int(ends[h.end-1]),
			Role:     m.watches[w].Role,
		})
	}
	return out
}

// matchHit is a watch's first occurrence.
type matchHit struct {
	sentence   int // -1: none yet
	start, end int // folded rune indices
	term       int32
}

// matchScratch is what Match works with, pooled: the release's sentences,
// split as far as Match has read, and buffers.
type matchScratch struct {
	r     *release.Release
	sents []sentenceRef
	// The paragraphs not yet split: paras[para:], then the body's from
	// next on.
	next  int
	paras []string
	para  int
	spans []span // the words of the sentences split so far
	// Buffers.
	runes  []rune
	occ    []acHit
	words  []wiWord
	hits   []matchHit
	vetoed []bool
	done   []bool
	firsts []int
	f      folded
	// The offsets of folded sentences (offsets): sentence si's are
	// starts and ends [offs[si].s:offs[si].e], once offs[si].s >= 0.
	offs         []span
	starts, ends []int32
}

var matchScratches = sync.Pool{New: func() any { return new(matchScratch) }}

// start sets ms to read r; the title is its first sentence.
func (ms *matchScratch) start(r *release.Release) {
	ms.r, ms.next = r, 0
	ms.offs, ms.starts, ms.ends = ms.offs[:0], ms.starts[:0], ms.ends[:0]
	ms.paras, ms.para = ms.paras[:0], 0
	ms.spans = appendWordSpans(ms.spans[:0], r.Title)
	if len(ms.spans) > 0 {
		ms.sents = append(ms.sents, sentenceRef{p: r.Title, ws: ms.spans[:len(ms.spans):len(ms.spans)]})
	}
}

// nextParagraph returns the next paragraph of the body not yet read.
func (ms *matchScratch) nextParagraph() (string, bool) {
	for ms.para == len(ms.paras) {
		if ms.next == len(ms.r.Body) {
			return "", false
		}
		ms.paras, ms.para = appendParagraphs(ms.paras[:0], ms.r.Body[ms.next]), 0
		ms.next++
	}
	ms.para++
	return ms.paras[ms.para-1], true
}

// addSentences splits the paragraph pp into sentences.
func (ms *matchScratch) addSentences(pp string) {
	// Earlier sentences keep their words even if spans moves.
	at := len(ms.spans)
	ms.spans = appendWordSpans(ms.spans, pp)
	eachSentenceOf(pp, ms.spans[at:len(ms.spans):len(ms.spans)], func(ws []span) {
		ms.sents = append(ms.sents, sentenceRef{p: pp, ws: ws})
	})
}

// all splits every sentence (of the paragraphs not yet read) and returns
// their number.
func (ms *matchScratch) all() int {
	for pp, ok := ms.nextParagraph(); ok; pp, ok = ms.nextParagraph() {
		ms.addSentences(pp)
	}
	return len(ms.sents)
}

// mayHit reports whether the paragraph pp may hold a whole-word
// occurrence of a pattern not seen yet. The paragraph folds to its
// sentences' folded runes with a space between them (and maybe one at
// either end), so its occurrences are theirs, and some that span two
// sentences; and a space beside an occurrence bounds it as an edge of a
// sentence does.
func (m *Matcher) mayHit(ms *matchScratch, pp string) bool {
	ms.runes = appendFolded(ms.runes[:0], pp)
	ms.words, ms.occ = m.occurrences(ms.runes, ms.words, ms.occ[:0])
	for _, o := range ms.occ {
		if !ms.done[o.pat] {
			return true
		}
	}
	return false
}

// occurrences appends every whole-word occurrence of a pattern in runes to
// out, as (pattern, end): those of words, then those of ac.
func (m *Matcher) occurrences(runes []rune, words []wiWord, out []acHit) ([]wiWord, []acHit) {
	words, out = m.words.scan(runes, words, out)
	if m.ac == nil {
		return words, out
	}
	n := len(out)
	out = m.ac.scanAll(runes, out)
	k := n
	for _, o := range out[n:] {
		if wordBounded(runes, int(o.end-m.plen[o.pat]), int(o.end)) {
			out[k] = o
			k++
		}
	}
	return words, out[:k]
}

// offsets returns the offsets of sentence si folded (folded.start and
// folded.end), folding each sentence once.
func (ms *matchScratch) offsets(si int) (start, end []int32) {
	for len(ms.offs) <= si {
		ms.offs = append(ms.offs, span{-1, -1})
	}
	o := ms.offs[si]
	if o.s < 0 {
		ms.f.reset()
		ms.f.foldWords(ms.sents[si].p, ms.sents[si].ws)
		o = span{len(ms.starts), len(ms.starts) + len(ms.f.start)}
		ms.offs[si] = o
		ms.starts = append(ms.starts, ms.f.start...)
		ms.ends = append(ms.ends, ms.f.end...)
	}
	return ms.starts[o.s:o.e], ms.ends[o.s:o.e]
}

// free puts ms back in the pool, without anything of the release.
func (ms *matchScratch) free() {
	ms.r = nil
	clear(ms.sents)
	clear(ms.paras)
	ms.sents, ms.paras = ms.sents[:0], ms.paras[:0]
	ms.f.reset()
	matchScratches.Put(ms)
}

// sentenceRef is a sentence not yet joined: joinWords(p, ws), once.
type sentenceRef struct {
	p      string
	ws     []span
	s      string
	joined bool
}

// String is the sentence, joined the first time it is asked for.
func (r *sentenceRef) String() string {
	if !r.joined {
		r.s, r.joined = joinWords(r.p, r.ws), true
	}
	return r.s
}

// wordBounded reports whether runes[start:end] is a whole-word occurrence:
// an edge rune that is a word rune must not touch another word rune.
func wordBounded(runes []rune, start, end int) bool {
	if start > 0 && isWordRune(runes[start]) && isWordRune(runes[start-1]) {
		return false
	}
	if end < len(runes) && isWordRune(runes[end-1]) && isWordRune(runes[end]) {
		return false
	}
	return true
}
