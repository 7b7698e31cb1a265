package summary

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

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
	regexes []regexTerm // terms written /…/, matched apart from the automaton
	watches []Watch
	refs    [][]termRef // per pattern: the watch terms it stands for
	ac      *acMachine
	hasExcl []bool // per watch
	pats    [][]rune
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

// NewMatcher checks the watches and builds one automaton for all their terms
// and excludes. It reports every problem at once.
func NewMatcher(watches []Watch) (*Matcher, error) {
	m := &Matcher{
		watches: append([]Watch(nil), watches...),
		hasExcl: make([]bool, len(watches)),
	}
	var errs []error
	index := make(map[string]int32) // folded pattern → pattern id
	seen := make(map[string]bool)
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
			id = int32(len(m.pats))
			index[key] = id
			m.pats = append(m.pats, []rune(key))
			m.refs = append(m.refs, nil)
		}
		m.refs[id] = append(m.refs[id], termRef{int32(w), int32(t), exclude})
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
	m.ac = newACMachine(m.pats)
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
	// The sentences, as Sentences has them, but joined into strings only
	// when needed: most are only folded and scanned.
	sentences := make([]sentenceRef, 0, 64)
	if ws := wordSpans(r.Title); len(ws) > 0 {
		sentences = append(sentences, sentenceRef{p: r.Title, ws: ws})
	}
	for _, p := range r.Body {
		for _, pp := range paragraphs(p) {
			eachSentence(pp, func(ws []span) { sentences = append(sentences, sentenceRef{p: pp, ws: ws}) })
		}
	}

	type hit struct {
		sentence   int // -1: none yet
		start, end int // folded rune indices
		term       int32
	}
	hits := make([]hit, len(m.watches))
	for i := range hits {
		hits[i].sentence = -1
	}
	vetoed := make([]bool, len(m.watches))
	// pending counts watches whose outcome can still change: not vetoed,
	// and either without a hit or with exclude terms still to look for.
	pending := len(m.watches)
	var firsts []int // watches without excludes first hit in this sentence

	var f folded
	var occ []acHit
	for si, s := range sentences {
		if pending == 0 {
			break
		}
		f.reset()
		f.foldWords(s.p, s.ws)
		firsts = firsts[:0]
		// Every occurrence in the sentence, then what they mean. (Stopping
		// once pending is 0 would change nothing: within a sentence only a
		// veto lowers it, so then every watch is vetoed or was settled in
		// an earlier sentence.)
		occ = m.ac.scanAll(f.runes, occ[:0])
		for _, o := range occ {
			p, end := o.pat, int(o.end)
			start := end - int(m.ac.plen[p])
			if !wordBounded(f.runes, start, end) {
				continue
			}
			for _, ref := range m.refs[p] {
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
					*h = hit{si, start, end, ref.term}
					if !m.hasExcl[w] {
						firsts = append(firsts, w)
					}
				case h.sentence == si && (start < h.start || start == h.start && end > h.end):
					*h = hit{si, start, end, ref.term}
				}
			}
		}
		pending -= len(firsts) // their hit is final once the sentence is done
	}

	// Regular-expression terms: an exclude anywhere vetoes; a term counts
	// when it matches in an earlier sentence than the automaton's hit.
	type rxHit struct {
		sentence, start, end, term int
	}
	rx := make(map[int]rxHit)
	for _, rt := range m.regexes {
		if vetoed[rt.watch] {
			continue
		}
		last := len(sentences) - 1
		if !rt.exclude && hits[rt.watch].sentence >= 0 {
			last = hits[rt.watch].sentence
		}
		for si := 0; si <= last; si++ {
			loc := rt.re.FindStringIndex(sentences[si].String())
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
			f.reset()
			f.foldWords(sentences[h.sentence].p, sentences[h.sentence].ws)
			ok = r.start < int(f.start[h.start])
		}
		if ok {
			out = append(out, release.Match{Watch: m.watches[w].Name, Term: m.watches[w].Terms[r.term],
				Sentence: sentences[r.sentence].String(), Start: r.start, End: r.end, Role: m.watches[w].Role})
			continue
		}
		if h.sentence < 0 {
			continue
		}
		s := sentences[h.sentence].String()
		f.reset()
		f.foldWords(sentences[h.sentence].p, sentences[h.sentence].ws)
		out = append(out, release.Match{
			Watch:    m.watches[w].Name,
			Term:     m.watches[w].Terms[h.term],
			Sentence: s,
			Start:    int(f.start[h.start]),
			End:      int(f.end[h.end-1]),
			Role:     m.watches[w].Role,
		})
	}
	return out
}

// sentenceRef is a sentence not yet joined: joinWords(p, ws), once.
type sentenceRef struct {
	p  string
	ws []span
	s  *string
}

// String is the sentence, joined the first time it is asked for.
func (r *sentenceRef) String() string {
	if r.s == nil {
		s := joinWords(r.p, r.ws)
		r.s = &s
	}
	return *r.s
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
