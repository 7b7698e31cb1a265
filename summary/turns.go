package summary

import (
	"strings"
	"unicode"
)

// turnKind tells whose turn a paragraph of a transcript is.
type turnKind int

const (
	turnNone      turnKind = iota // no speaker label seen yet
	turnMain                      // the main speaker's
	turnOther                     // another named speaker's
	turnQuestion                  // a journalist's question
	turnModerator                 // a moderator or spokesperson giving the floor
)

// para is one body paragraph with its speaker label removed.
type para struct {
	text  string
	label string // label of the turn the paragraph is in, "" when none
	kind  turnKind
}

// parseTurns splits off speaker labels ("NATO Secretary General Mark Rutte:",
// "Oana Lungescu (NATO Spokesperson):", "Q:", a bold label the scraper
// turned into "Name:", a speaker line "Mark Rutte, NATO Secretary
// General") and carries each label over the paragraphs that follow it
// until the next label. Paragraphs before any label are the main
// speaker's (turnNone). A named speaker who is not the main one and opens
// by introducing or handing out the floor is a host, one who asks is a
// questioner; an unlabelled paragraph that asks a question is a
// questioner's, without changing the turn.
func parseTurns(body []string, main string) []para {
	out := make([]para, 0, len(body))
	label, kind := "", turnNone
	open := false // the turn's first words are still to come
	for _, p := range body {
		text := strings.TrimSpace(p)
		if lbl, rest, ok := splitLabel(text); ok {
			label, kind, open = lbl, classifyLabel(lbl, main), true
			text = rest
		} else if s, ok := speakerLine(text); ok {
			label, kind, open = s, classifyLabel(s, main), true
			text = ""
		}
		pk := kind
		switch {
		case open && text != "":
			open = false
			if kind == turnOther && isHostText(text) {
				kind = turnModerator
			} else if kind == turnOther && main != "" && strings.Contains(text, "?") {
				kind = turnQuestion
			}
			pk = kind
		case (kind == turnNone || kind == turnMain) && isQuestionPara(text):
			pk = turnQuestion
		}
		out = append(out, para{text: text, label: label, kind: pk})
	}
	return out
}

// labelWords may make up a one-word label.
var oneWordLabels = setOf("question", "questions", "q", "a", "answer", "moderator",
	"interviewer", "journalist", "reporter", "audience", "participant", "host",
	"chair", "spokesperson", "presenter", "anchor")

// notLabels are one-word headings that are not speakers.
var notLabels = setOf("note", "notes", "update", "updated", "background", "editor",
	"editors", "source", "sources", "photo", "photos", "video", "watch", "read",
	"see", "also", "contact", "media", "more", "related", "date", "location",
	"subject", "title", "topic", "summary", "warning", "important", "today",
	"tomorrow", "yesterday", "link", "links", "download", "ends", "end",
	// A media advisory's headings.
	"hour", "hours", "time", "venue", "place", "where", "when", "access",
	"deadline", "language", "languages", "programme", "program", "agenda", "format")

// labelConnectors may stand in lower case inside a label.
var labelConnectors = setOf("of", "the", "for", "and", "de", "van", "von", "der",
	"den", "du", "la", "le", "di", "da", "al", "el", "bin", "ibn", "to", "on")

// splitLabel splits a leading speaker label off a paragraph: the text before
// the first colon, if it reads as a name or role (every word capitalised,
// connectors aside; parenthesised or bracketed parts are free).
func splitLabel(p string) (label, rest string, ok bool) {
	i := strings.IndexByte(p, ':')
	if i <= 0 || i > 160 {
		return "", "", false
	}
	label, rest = strings.TrimSpace(p[:i]), strings.TrimSpace(p[i+1:])
	if strings.HasPrefix(rest, "//") || (rest != "" && unicode.IsDigit(firstRune(rest)) && unicode.IsDigit(lastRune(label))) {
		return "", "", false // a URL or a time
	}
	if !looksLikeLabel(label) {
		return "", "", false
	}
	return label, rest, true
}

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1]
}

func looksLikeLabel(l string) bool {
	if l == "" || strings.ContainsAny(l, "\"“”«»?!;") {
		return false
	}
	// Drop parenthesised and bracketed parts.
	var b strings.Builder
	depth := 0
	for _, r := range l {
		switch {
		case r == '(' || r == '[':
			depth++
		case (r == ')' || r == ']') && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	ws := strings.Fields(b.String())
	if len(ws) == 0 || len(ws) > 8 {
		return false
	}
	if len(ws) == 1 {
		w := strings.ToLower(strings.Trim(ws[0], ".,"))
		if notLabels[w] {
			return false
		}
	}
	for k, w := range ws {
		w = strings.TrimRight(w, ",")
		if k > 0 && labelConnectors[w] {
			continue
		}
		r := firstRune(w)
		if !unicode.IsUpper(r) {
			return false
		}
		if strings.Contains(w, ".") && len([]rune(w)) > 4 {
			return false // a sentence end, not "Mr." or "H.E."
		}
		if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			return false
		}
	}
	return true
}

// titleWords are role words, not names, when comparing labels and speakers.
var titleWords = setOf("nato", "secretary", "general", "deputy", "spokesperson",
	"minister", "prime", "president", "vice", "the", "of", "for", "and", "mr",
	"mrs", "ms", "dr", "foreign", "defence", "defense", "affairs", "chair",
	"chairman", "military", "committee", "supreme", "allied", "commander",
	"europe", "transformation", "ambassador", "he", "his", "her", "excellency",
	"assistant", "acting", "special", "representative", "senior", "official",
	"permanent", "u", "s", "h", "e")

// splitName returns the folded name words and role words of a speaker.
func splitName(s string) (name, role []string) {
	for _, w := range words(s) {
		switch w {
		case "sg":
			role = append(role, "secretary", "general")
			continue
		case "dsg":
			role = append(role, "deputy", "secretary", "general")
			continue
		}
		if titleWords[w] {
			role = append(role, w)
		} else {
			name = append(name, w)
		}
	}
	return name, role
}

// sameSpeaker reports whether label and speaker name the same person: they
// share a name word, or, when one of them has no name, its role words are
// the other's ("Secretary General" vs "NATO Secretary General Jens
// Stoltenberg", but not "Deputy Secretary General").
func sameSpeaker(label, speaker string) bool {
	ln, lr := splitName(label)
	sn, sr := splitName(speaker)
	return sameSplit(ln, lr, sn, sr)
}

// sameSplit is sameSpeaker of two speakers split by splitName.
func sameSplit(ln, lr, sn, sr []string) bool {
	if len(ln) > 0 && len(sn) > 0 {
		for _, a := range ln {
			for _, b := range sn {
				if a == b {
					return true
				}
			}
		}
		return false
	}
	strip := func(ws []string) map[string]bool {
		m := map[string]bool{}
		for _, w := range ws {
			switch w {
			case "nato", "the", "of", "mr", "mrs", "ms", "dr", "his", "her", "excellency", "h", "e":
			default:
				m[w] = true
			}
		}
		return m
	}
	// The nameless one's role words must all be the other's, and what the
	// other adds must not make it another office ("Chair" is "Chair of
	// the NATO Military Committee Admiral Rob Bauer"; "Secretary
	// General" is not "Deputy Secretary General").
	a, b := strip(lr), strip(sr)
	if len(ln) > 0 || len(sn) == 0 && len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return false
	}
	for w := range a {
		if !b[w] {
			return false
		}
	}
	for w := range b {
		if !a[w] && otherOffice[w] {
			return false
		}
	}
	return true
}

// otherOffice are role words that make a different office of the same
// title: a deputy, a former holder, a prime minister.
var otherOffice = setOf("deputy", "assistant", "vice", "acting", "former", "prime", "special", "senior", "under")

// classifyLabel tells whose turn a label opens.
func classifyLabel(label, main string) turnKind {
	ws := words(label)
	if len(ws) == 0 {
		return turnOther
	}
	switch ws[0] {
	case "a", "answer":
		return turnMain
	case "q", "question", "questions", "journalist", "reporter", "audience", "participant", "interviewer":
		return turnQuestion
	}
	if main != "" && sameSpeaker(label, main) {
		return turnMain
	}
	for k, w := range ws {
		switch w {
		case "moderator", "spokesperson", "host", "presenter", "anchor", "facilitator", "mc", "interviewer":
			return turnModerator
		case "chair", "chairman", "chairperson", "chairwoman":
			// "Chairman:" is the panel's; "Chair of the NATO Military
			// Committee" is a speaker.
			if k+1 == len(ws) || ws[k+1] != "of" {
				return turnModerator
			}
		}
	}
	if outletInBrackets(label) || outletAfterComma(label) {
		return turnQuestion
	}
	return turnOther
}

// titleKinds end the part of a title before "by"/"with" that names a
// speech-like release.
var titleKinds = []string{
	"press point", "press conference", "press briefing", "briefing", "speech",
	"remarks", "statement", "doorstep", "message", "interview", "address",
	"lecture", "transcript", "conversation", "discussion", "chat", "q&a",
	"keynote", "op-ed", "article", "comments", "presentation", "media availability",
}

// titleCuts end the speaker part of a title.
var titleCuts = []string{
	" followed by ", " followed ", " accompanied by ", " together with ", " at ", " following ", " during ", " on ", " in ", " ahead of ", " after ",
	" before ", " to ", " for ", " with ", " and ", ", ", " – ", " — ", " - ",
	" (", " | ", ": ",
}

// speakerFromTitle returns the first speaker named in a title such as
// "Press Point by NATO Secretary General Jens Stoltenberg at ASAN ..." or
// "Joint press conference with X and Y", or "" when it names none.
func speakerFromTitle(title string) string {
	t := strings.Join(strings.Fields(title), " ")
	lt := strings.ToLower(t)
	for _, sep := range []string{" by ", " with "} {
		i := strings.Index(lt, sep)
		if i < 0 {
			continue
		}
		head := strings.TrimSpace(lt[:i])
		known := false
		for _, k := range titleKinds {
			if strings.HasSuffix(head, k) {
				known = true
				break
			}
		}
		if !known {
			continue
		}
		if s := cutSpeaker(t[i+len(sep):]); s != "" {
			return s
		}
	}
	// "NATO Secretary General's press conference"
	if i := strings.Index(lt, "'s "); i > 0 || strings.Contains(lt, "’s ") {
		if i < 0 {
			i = strings.Index(lt, "’s ")
		}
		rest := strings.TrimLeft(lt[i:], "'’s ")
		for _, k := range titleKinds {
			if strings.HasPrefix(rest, k) && hasRoleWord(t[:i]) {
				return cutSpeaker(t[:i])
			}
		}
	}
	return ""
}
