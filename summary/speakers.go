package summary

import (
	"slices"
	"strings"
	"unicode"

	"github.com/natowatch/natowatch/release"
)

// Who speaks in a release: the main speaker (by-line, title, speaker line),
// how a label is shown, and which labels are a journalist's or a host's.
// Crediting someone else's words to the Secretary General, or his to a
// journalist, is the worst thing an alert can do, so these rules prefer
// saying nothing to guessing.

// mainSpeaker is who a speech release is by: the speaker of the by-line,
// else of the title, else of a speaker line at the top of the body ("Mark
// Rutte, NATO Secretary General"), else the first of r.Speakers that is
// not a journalist or a host, else the first label of a named speaker.
// The by-line comes first: r.Speakers are the turn labels the scraper
// found, and in a doorstep the only one may be a journalist's.
func mainSpeaker(r *release.Release) string {
	if s := speakerFromByline(r.Byline); s != "" {
		return s
	}
	if s := speakerFromTitle(r.Title); s != "" {
		return s
	}
	for k, p := range r.Body {
		if k == 3 {
			break
		}
		if s, ok := speakerLine(strings.TrimSpace(p)); ok {
			return s
		}
	}
	// A label whose turn reads as a host's or a questioner's is never
	// the main speaker, whatever r.Speakers says.
	turns := parseTurns(r.Body, "")
	host := func(label string) bool {
		return slices.ContainsFunc(turns, func(p para) bool {
			return p.label == label && (p.kind == turnModerator || p.kind == turnQuestion)
		})
	}
	for _, s := range r.Speakers {
		if s = strings.TrimSpace(s); s != "" && len(s) <= 160 && classifyLabel(s, "") == turnOther && !host(s) {
			return displaySpeaker(s)
		}
	}
	for _, p := range turns {
		if p.kind == turnOther && p.label != "" && !host(p.label) {
			return displaySpeaker(p.label)
		}
	}
	return ""
}

// fullMain gives a main speaker named by a role alone ("Secretary
// General", from a title) the name the opening of the text gives that
// role ("Secretary General Mark Rutte"), so that all of their quotes are
// credited alike.
func fullMain(r *release.Release, main string) string {
	if main == "" {
		return ""
	}
	if name, _ := splitName(main); len(name) > 0 {
		return main
	}
	var pp people
	for i, p := range r.Body {
		if i == 5 {
			break
		}
		pp.read(p)
	}
	return pp.resolve(main)
}

// speakerFromByline returns the speaker a by-line names: "by NATO
// Secretary General Mark Rutte at …", "with NATO Secretary General Jens
// Stoltenberg and …", "Session … with participation of …", or a
// speaker line "Mark Rutte, NATO Secretary General".
func speakerFromByline(byline string) string {
	t := strings.Join(strings.Fields(byline), " ")
	if len(t) > 400 {
		t = t[:400]
	}
	lt := strings.ToLower(t)
	for _, lead := range []string{"with participation of ", "by ", "with "} {
		i := -1
		if strings.HasPrefix(lt, lead) {
			i = 0
		} else if j := strings.Index(lt, " "+lead); j >= 0 {
			i = j + 1
		}
		if i < 0 {
			continue
		}
		if s := cutSpeaker(t[i+len(lead):]); s != "" && unicode.IsUpper(firstRune(s)) {
			return s
		}
	}
	if s, ok := speakerLine(t); ok {
		return s
	}
	return ""
}

// cutSpeaker returns the speaker at the start of s, up to the first of
// titleCuts, without a leading "the".
func cutSpeaker(s string) string {
	ls := strings.ToLower(s)
	end := len(s)
	for _, c := range titleCuts {
		if j := strings.Index(ls, c); j >= 0 && j < end {
			end = j
		}
	}
	out := strings.TrimSpace(strings.TrimRight(s[:end], " .,;:"))
	if strings.HasPrefix(strings.ToLower(out), "the ") {
		out = out[4:]
	}
	if len(strings.Fields(out)) > 10 {
		return ""
	}
	return out
}

// roleWords name an office, not a person or an outlet.
var roleWords = setOf("secretary", "general", "deputy", "spokesperson", "spokesman",
	"spokeswoman", "minister", "prime", "president", "vice", "chair", "chairman",
	"chairperson", "chairwoman", "commander", "ambassador", "representative",
	"chancellor", "admiral", "director", "chief", "head", "official", "senator",
	"king", "queen", "sg", "dsg", "saceur", "sact", "moderator", "host")

func hasRoleWord(s string) bool {
	for _, w := range words(s) {
		if roleWords[w] {
			return true
		}
	}
	return false
}

// speakerLine reads a paragraph that only names a speaker, "Mark Rutte,
// NATO Secretary General" or "NATO Secretary General, Jens Stoltenberg",
// as new transcripts put it above the remarks; it returns the role
// before the name.
func speakerLine(p string) (string, bool) {
	if len(p) > 120 || strings.ContainsAny(p, ".!?:;\"“”()[]") {
		return "", false
	}
	a, b, ok := strings.Cut(p, ", ")
	if !ok || strings.Contains(b, ",") || !looksLikeLabel(a) || !looksLikeLabel(b) {
		return "", false
	}
	an, _ := splitName(a)
	bn, _ := splitName(b)
	switch {
	case hasRoleWord(b) && !hasRoleWord(a) && len(an) > 0:
		return b + " " + a, true
	case hasRoleWord(a) && !hasRoleWord(b) && len(bn) > 0:
		return a + " " + b, true
	}
	return "", false
}

// acronyms stay in capitals when a label in capitals is shown.
var acronyms = setOf("nato", "us", "uk", "eu", "un", "usa", "osce", "sg", "dsg", "saceur", "sact", "otan")

// displaySpeaker shows a turn label as a speaker: "Jens Stoltenberg [NATO
// Secretary General]" as "NATO Secretary General Jens Stoltenberg" (the
// title kept, brackets closed), "JENS STOLTENBERG (NATO Secretary
// General)" as "NATO Secretary General Jens Stoltenberg", "NATO Secretary
// General, Jens Stoltenberg" without its comma. An outlet or a long
// description in brackets is left out.
func displaySpeaker(label string) string {
	name, role := label, ""
	if i := strings.IndexAny(label, "(["); i > 0 {
		name = label[:i]
		role = strings.Trim(label[i:], "()[] ")
		if j := strings.IndexAny(role, ")]"); j >= 0 {
			role = role[:j]
		}
	}
	name = strings.Join(strings.Fields(strings.ReplaceAll(name, ",", " ")), " ")
	if strings.ToUpper(name) == name {
		ws := strings.Fields(name)
		for k, w := range ws {
			if !acronyms[strings.ToLower(w)] && len(w) > 1 {
				ws[k] = w[:1] + strings.ToLower(w[1:])
			}
		}
		name = strings.Join(ws, " ")
	}
	if role != "" && hasRoleWord(role) && !strings.Contains(role, ",") && len(strings.Fields(role)) <= 6 {
		return role + " " + name
	}
	return name
}

// outletInBrackets reports whether a label names its speaker's outlet in
// brackets ("Hadley Gamble (CNBC)", "Kevin Baron [Defense One]"): what is
// in brackets names no office.
func outletInBrackets(label string) bool {
	i := strings.IndexAny(label, "([")
	if i <= 0 {
		return false
	}
	in := strings.Trim(label[i:], "()[] ")
	return in != "" && !hasRoleWord(in) && !strings.HasPrefix(strings.ToLower(in), "nato") && personName(label[:i])
}

// personName reports whether s could be a person's name: two to four
// words, no office among them ("Hadley Gamble", not "Brussels").
func personName(s string) bool {
	n := len(strings.Fields(s))
	return n >= 2 && n <= 4 && !hasRoleWord(s)
}

// outletAfterComma reports whether a label reads "Name, Outlet" ("Lorne
// Cook, Associated Press"), as new transcripts label journalists: what
// follows the comma names no office.
func outletAfterComma(label string) bool {
	name, after, ok := strings.Cut(label, ",")
	after = strings.TrimSpace(after)
	return ok && !strings.ContainsAny(label, "([") && after != "" && !hasRoleWord(after) &&
		personName(name) && !strings.HasPrefix(strings.ToLower(after), "nato")
}

// hostCues in the first words of a turn show a host at work: introducing,
// chairing, handing out the floor.
var hostCues = []string{"moderator", "chairman", "to introduce", "my pleasure to welcome",
	"our panel", "panellists", "panelists", "distinguished panel", "the floor is", "give the floor",
	"we'll start with", "we will start with", "next question", "let's start with", "let me start with"}

// isHostText reports whether the opening of a turn reads as a host's.
func isHostText(s string) bool {
	if len(s) > 600 {
		s = s[:600]
	}
	l := strings.ToLower(s)
	for _, c := range hostCues {
		if strings.Contains(l, c) {
			return true
		}
	}
	return false
}

// askCues show a paragraph asking the speaker rather than the audience.
var askCues = []string{"question", "i want to ask", "i'd like to ask", "secretary general,",
	"you said", "you mentioned", "can you", "could you", "will you", "would you", "do you", "are you"}

// isQuestionPara reports whether an unlabelled paragraph is a journalist's
// question: it asks, and says it is a question or ends asking the
// speaker ("Secretary General, will you …?").
func isQuestionPara(s string) bool {
	if !strings.Contains(s, "?") || len(s) > 4000 {
		return false
	}
	l := strings.ToLower(s)
	if strings.Contains(l, "question") || strings.Contains(l, "i want to ask") || strings.Contains(l, "i'd like to ask") {
		return true
	}
	if !strings.HasSuffix(strings.TrimRight(l, closerRunes+" "), "?") {
		return false
	}
	for _, c := range askCues {
		if strings.Contains(l, c) {
			return true
		}
	}
	return false
}
