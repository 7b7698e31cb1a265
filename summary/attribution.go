package summary

import (
	"strings"
	"unicode"

	"github.com/natowatch/natowatch/release"
)

// Attribution: who said a quotation. A quote shown with the wrong speaker
// is worse than none, so a quotation whose speaker cannot be worked out
// is left out. The narration names people ("NATO Secretary General Jens
// Stoltenberg met …"); a later "the Secretary General", "Mr Stoltenberg"
// or "he" is the person so named.

const (
	maxQuoteParas = 4    // paragraphs one quotation may run over
	maxQuoteBytes = 4000 // and bytes
)

// people are the persons and bodies the narration has named so far.
type people struct {
	named   []person // in the order first named
	subject string   // the last one named at the head of a sentence, resolved
}

// person is a form of a name, with its name and role words (splitName).
type person struct {
	full       string
	name, role []string
}

// orgWords end the names of bodies, which are never "he" or "she".
var orgWords = setOf("council", "alliance", "committee", "commission", "union", "assembly",
	"organization", "organisation", "headquarters", "nations", "ministry", "government",
	"forum", "summit", "institute", "university", "treaty", "parliament", "nato", "office")

// read takes note of the people named in narration text. The first one
// named within the first words of a sentence is its subject, the "he" of
// a quotation that follows.
func (pp *people) read(text string) {
	if len(pp.named) > 64 || len(text) > 20000 {
		return // enough to go on; bounds the work on long releases
	}
	for _, m := range mentions(text) {
		full := pp.resolve(m.name)
		if !pp.knows(full) {
			pp.add(full)
		}
		if m.head && !isOrg(full) {
			pp.subject = full
		}
	}
}

func (pp *people) knows(s string) bool {
	for _, n := range pp.named {
		if n.full == s {
			return true
		}
	}
	return false
}

func (pp *people) add(s string) {
	name, role := splitName(s)
	pp.named = append(pp.named, person{s, name, role})
}

// resolve returns the fullest form named so far of the person ref names
// ("the Secretary General" → "NATO Secretary General Jens Stoltenberg"),
// or ref itself, "the" dropped.
func (pp *people) resolve(ref string) string {
	ref = strings.TrimSpace(ref)
	if l := strings.ToLower(ref); strings.HasPrefix(l, "the ") {
		ref = ref[4:]
	}
	refName, refRole := splitName(ref)
	best, bestName := "", -1
	for _, n := range pp.named {
		if !sameSplit(refName, refRole, n.name, n.role) {
			continue
		}
		if len(n.name) > bestName || len(n.name) == bestName && len(n.full) > len(best) {
			best, bestName = n.full, len(n.name)
		}
	}
	// A mention fuller than any before it stands for itself.
	if best == "" || bestName < len(refName) {
		return ref
	}
	return best
}

func isOrg(s string) bool {
	ws := words(s)
	return len(ws) > 0 && orgWords[ws[len(ws)-1]]
}

// mention is a name in a text; head: it is the first one of its
// sentence and starts within the sentence's first six words.
type mention struct {
	name string
	head bool
}

// leadWords open a sentence without being part of a name.
var leadWords = setOf("the", "a", "an", "in", "on", "at", "during", "after", "before", "with",
	"today", "yesterday", "tomorrow", "earlier", "later", "speaking", "addressing", "for",
	"as", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "but", "and",
	"so", "also", "while", "when", "following", "ahead", "since", "from", "to", "under", "by")

// mentions returns the runs of capitalised words of a text that name a
// person or a body: a role word ("Secretary General", "Prime Minister
// Rutte"), "Mr"/"Ms" and a name, or two names ("Jens Stoltenberg").
func mentions(text string) []mention {
	ws := strings.Fields(text)
	var out []mention
	sentence, named := 0, false // where the current sentence starts; whether it named anyone
	for i := 0; i < len(ws); {
		if i > 0 && endsSentenceWord(ws[i-1]) {
			sentence, named = i, false
		}
		j := i
		for j < len(ws) {
			w := strings.Trim(ws[j], openerRunes)
			c := cleanWord(w)
			if !unicode.IsUpper(firstRune(w)) && !(j > i && nameConnectors[c] && nameGoesOn(ws[j+1:])) {
				break
			}
			j++
			if core, _ := trimClosers(w); core != w || strings.ContainsAny(lastString(core), ",;:)!?") || strings.HasSuffix(core, ".") && !neverFinal[strings.ToLower(strings.TrimSuffix(core, "."))] && !isInitial(strings.TrimSuffix(core, ".")) {
				break // the clause ends after this word
			}
		}
		if j == i {
			i++
			continue
		}
		start := i
		for start < j && leadWords[cleanWord(ws[start])] {
			start++
		}
		if start < j {
			name := strings.TrimRight(strings.Join(ws[start:j], " "), ",;:.!?)")
			name = strings.TrimSuffix(strings.TrimSuffix(name, "'s"), "’s") // "SACEUR's visit"
			if isPersonOrBody(name) {
				out = append(out, mention{name, !named && isHead(ws[sentence:start])})
				named = true
			}
		}
		i = j
	}
	return out
}

// endsSentenceWord reports whether a word ends a sentence: . ! ? (closing
// marks aside), not "Mr." or an initial.
func endsSentenceWord(w string) bool {
	core, _ := trimClosers(w)
	switch lastString(core) {
	case "!", "?":
		return true
	case ".":
		base := strings.TrimSuffix(core, ".")
		return !neverFinal[strings.ToLower(base)] && !isInitial(base)
	}
	return false
}

// introWords may come before the subject of a sentence: "On Monday, the
// Secretary General …", "Earlier, Mr Rutte …".
var introWords = setOf("the", "a", "an", "on", "in", "at", "during", "after", "before", "today",
	"yesterday", "earlier", "later", "meanwhile", "also", "and", "but", "separately", "speaking",
	"addressing", "for", "with", "from", "following", "ahead", "of", "then", "there", "here")

// isHead reports whether a name that follows the words before of its
// sentence is the sentence's subject: only an introduction comes before
// it (words of introWords, or a clause ending in a comma), never a
// pronoun or a verb ("I have met with President Moon …" is about "I").
func isHead(before []string) bool {
	if len(before) > 8 {
		return false
	}
	if len(before) > 0 && strings.HasSuffix(before[len(before)-1], ",") {
		return true // "During their talks, the Secretary General …"
	}
	for _, w := range before {
		if !introWords[cleanWord(w)] && !unicode.IsUpper(firstRune(w)) {
			return false
		}
		if pronouns[cleanWord(w)] {
			return false
		}
	}
	return true
}

// nameConnectors may stand inside a name or title: "Chair of the NATO
// Military Committee", "Jaap de Hoop Scheffer". Not "and", "on", "to":
// those join two names, or a name and a day.
var nameConnectors = setOf("of", "the", "de", "van", "von", "der", "den", "du", "la", "le", "di", "da", "al", "el", "bin", "ibn")

// nameGoesOn reports whether a capitalised word follows within the next
// two, connectors between.
func nameGoesOn(ws []string) bool {
	for k := 0; k < len(ws) && k < 2; k++ {
		w := strings.Trim(ws[k], openerRunes)
		if unicode.IsUpper(firstRune(w)) {
			return true
		}
		if !nameConnectors[cleanWord(w)] {
			return false
		}
	}
	return false
}

func lastString(s string) string {
	if s == "" {
		return ""
	}
	r := []rune(s)
	return string(r[len(r)-1])
}

// isPersonOrBody reports whether a run of capitalised words names a
// person or a body rather than a place or a thing.
func isPersonOrBody(s string) bool {
	ws := words(s)
	if len(ws) == 0 || len(ws) > 10 {
		return false
	}
	if ws[0] == "mr" || ws[0] == "ms" || ws[0] == "mrs" || ws[0] == "dr" {
		return len(ws) > 1
	}
	for _, w := range ws {
		if roleWords[w] {
			return true
		}
	}
	return len(ws) >= 2 && isOrg(s)
}

// quotedSpeech finds attributed quotations in the body: “…,” said X. /
// “…”, X said. / X said: “…” / X stressed that “…” / “…,” he added.
// A quotation over several paragraphs is one quote, and so is one
// interrupted by its attribution (“We are ready,” said X. “Every Ally
// can count on us.”). Speakers are resolved against the people named
// before (people.resolve); a quotation without one is left out.
func quotedSpeech(r *release.Release, main string) []release.Quote {
	if !hasQuotationMark(r.Body) {
		return nil // most releases: nothing to read
	}
	var pp people
	if main != "" {
		pp.add(main)
	}
	pp.read(r.Title)
	var out []release.Quote
	// A questioner's or host's paragraphs are read for the people they
	// name, never for quotes: what a journalist quotes in a question is
	// not the alert's to repeat.
	turns := parseTurns(r.Body, main)
	body := make([]string, len(turns))
	for k, t := range turns {
		if t.kind == turnQuestion || t.kind == turnModerator {
			pp.read(t.text)
			continue
		}
		body[k] = t.text
	}
	for _, p := range joinQuotedParas(body) {
		prev := 0         // where the narration not yet read starts
		paraSpeaker := "" // speaker of the paragraph's last attributed quotation
		joinable := -1    // out index of a quote whose attribution ends right before the next quotation
		for _, q := range findQuotations(p) {
			pp.read(p[prev:q.open])
			between := p[prev:q.open]
			prev = q.end
			text := p[q.in:q.out]
			speaker, ok, after := "", false, false
			if q.closed {
				speaker, ok = attributionAfter(p[q.end:])
				after = ok
			}
			if !ok {
				speaker, ok = attributionBefore(p[:q.open])
			}
			if !ok && joinable >= 0 && wordCount(between) <= 12 && strings.ContainsAny(lastString(strings.TrimSpace(between)), ".,") {
				// The second half of an interrupted quotation.
				out[joinable].Text = joinHalves(out[joinable].Text, text)
				joinable = -1
				continue
			}
			switch l := strings.ToLower(speaker); {
			case ok && (l == "he" || l == "she"):
				speaker = pp.subject
			case ok && isPronoun(l):
				speaker = ""
			case ok && speaker != "":
				speaker = pp.resolve(speaker)
				if !isOrg(speaker) {
					pp.subject = speaker
				}
			case !ok && paraSpeaker != "":
				speaker, ok = paraSpeaker, true
			}
			joinable = -1
			if !ok || speaker == "" {
				continue
			}
			paraSpeaker = speaker
			out = append(out, release.Quote{Text: text, Speaker: speaker})
			if after {
				joinable = len(out) - 1
			}
		}
		if prev < len(p) {
			pp.read(p[prev:])
		}
	}
	// Short quoted text is a scare quote ("hybrid"), not a quote.
	kept := out[:0]
	for _, q := range out {
		if wordCount(q.Text) >= minQuoteWords {
			kept = append(kept, q)
		}
	}
	return kept
}

// joinHalves joins the two halves of an interrupted quotation: “We are
// ready,” … “Every Ally can count on us.” reads "We are ready. Every Ally
// can count on us."; a lower-case second half keeps the comma.
func joinHalves(a, b string) string {
	a = strings.TrimRightFunc(a, unicode.IsSpace)
	b = strings.TrimSpace(b)
	if strings.HasSuffix(a, ",") && unicode.IsUpper(firstRune(b)) {
		a = strings.TrimSuffix(a, ",") + "."
	}
	return a + " " + b
}

// hasQuotationMark reports whether any paragraph holds a double quotation
// mark.
func hasQuotationMark(body []string) bool {
	for _, p := range body {
		if strings.IndexByte(p, '"') >= 0 || strings.Contains(p, "“") || strings.Contains(p, "„") || strings.Contains(p, "«") || strings.Contains(p, "”") {
			return true
		}
	}
	return false
}

// joinQuotedParas joins a paragraph whose last quotation is left open to
// the paragraphs that go on with it: the next opens with a quotation mark
// (the convention for a quotation over paragraphs) or first closes one.
// At most maxQuoteParas paragraphs and maxQuoteBytes are joined.
func joinQuotedParas(body []string) []string {
	out := make([]string, 0, len(body))
	for i := 0; i < len(body); i++ {
		p := strings.TrimSpace(body[i])
		for n := 1; n < maxQuoteParas && i+1 < len(body) && len(p) < maxQuoteBytes && endsOpen(p); n++ {
			next := strings.TrimSpace(body[i+1])
			if r := firstRune(next); r == '“' || r == '"' || r == '«' || r == '„' {
				next = strings.TrimLeft(next, "“\"«„")
			} else if !opensInQuotation(next) {
				break
			}
			p += " " + next
			i++
		}
		out = append(out, p)
	}
	return out
}

// endsOpen reports whether the last quotation of p is not closed.
func endsOpen(p string) bool {
	qs := findQuotations(p)
	return len(qs) > 0 && !qs[len(qs)-1].closed
}
