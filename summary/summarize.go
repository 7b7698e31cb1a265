package summary

import (
	"slices"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

const (
	maxSummarySentences = 3
	maxSummaryRunes     = 600
	minSummaryWords     = 4
	// redundant is the similarity above which a sentence repeats one
	// already chosen.
	redundant = 0.6
)

// Weights of the summary ranker. Speeches open with pleasantries, so the
// lead bias is weaker for them than for news.
var (
	newsWeights   = rankWeights{central: 0.5, lead: 0.35, title: 0.15, leadScale: 3, cue: 0.1}
	speechWeights = rankWeights{central: 0.65, lead: 0.15, title: 0.2, leadScale: 5, cue: 0.1}
)

// sent is a body sentence with the turn it belongs to.
type sent struct {
	text string
	kind turnKind
}

// bodySentences splits the body into sentences, speaker labels removed.
func bodySentences(r *release.Release) []sent {
	var out []sent
	for _, p := range parseTurns(r.Body, mainSpeaker(r)) {
		for _, s := range Sentences(p.text) {
			out = append(out, sent{s, p.kind})
		}
	}
	return out
}

// summaryCandidates picks the sentences the summary may use: full
// sentences of the body that are not boilerplate or questions; failing
// that, any that are not boilerplate; failing that, any.
func summaryCandidates(ss []sent) []string {
	tiers := [3][]string{}
	for _, s := range ss {
		qa := s.kind == turnQuestion || s.kind == turnModerator
		boiler := qa || isBoilerplate(s.text)
		if !boiler && wordCount(s.text) >= minSummaryWords && !isFragment(s.text) {
			tiers[0] = append(tiers[0], s.text)
		}
		if !boiler {
			tiers[1] = append(tiers[1], s.text)
		}
		tiers[2] = append(tiers[2], s.text)
	}
	for _, t := range tiers {
		if len(t) > 0 {
			return t
		}
	}
	return nil
}

// Summarize returns 1 to 3 sentences of the body, in their original order,
// that best summarise the release, at most maxSummaryRunes runes in all
// (counting one space between sentences). Sentences are ranked by
// centrality in the similarity graph, a lead bias and similarity to the
// title (rank.go); greetings, thanks, hand-overs to questions, Q&A turns and
// fragments under four words are skipped unless nothing else is left. When
// the best sentence alone is longer than the limit it is returned alone,
// cut on a word boundary with "…". It returns nil for an empty body.
func Summarize(r *release.Release) []string {
	if r == nil {
		return nil
	}
	cands := summaryCandidates(bodySentences(r))
	if len(cands) == 0 {
		return nil
	}
	rw := newsWeights
	if r.Type == release.TypeSpeech {
		rw = speechWeights
	}
	order, vs := rank(cands, r.Title, rw)
	var chosen []int
	total := 0
	for _, o := range order {
		if len(chosen) == maxSummarySentences {
			break
		}
		n := utf8.RuneCountInString(cands[o.i])
		if len(chosen) == 0 && n > maxSummaryRunes {
			return []string{truncate(cands[o.i], maxSummaryRunes)}
		}
		if len(chosen) > 0 {
			n++ // the space before it
		}
		if total+n > maxSummaryRunes || repeats(vs, chosen, o.i) {
			continue
		}
		chosen = append(chosen, o.i)
		total += n
	}
	slices.Sort(chosen)
	out := make([]string, len(chosen))
	for k, i := range chosen {
		out[k] = cands[i]
	}
	return out
}

// repeats reports whether sentence i says much the same as one of chosen.
func repeats(vs []vector, chosen []int, i int) bool {
	for _, c := range chosen {
		if cosine(vs[c], vs[i]) > redundant {
			return true
		}
	}
	return false
}
