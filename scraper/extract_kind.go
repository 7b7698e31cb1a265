package scraper

import (
	"strings"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
	"golang.org/x/net/html"
)

// Kind lines: a page's own statement of what it is, a short line of its
// own near the title ("Press Release", "Official text", "News"), or a
// transcript's h1 that is nothing but its kind ("Press conference").
var (
	speechKind = lazyRegexp(`(?i)^` + speechKinds + `$`)
	otherKind  = lazyRegexp(`(?i)^(press releases?|communiqu[eé]s? de presse|official texts?|textes? officiels?|statement|d[eé]claration|communiqu[eé]|news|actualit[eé]s?)$`)
)

// speechKinds are the kinds of speech a transcript's title starts with
// and its kind line says.
const speechKinds = `(?:(?:opening|closing|keynote|introductory|joint|online) )?(?:remarks|speech|speeches|statement|transcript|press (?:point|conference|briefing|statement)|doorstep(?: statement)?|interview|video message|address|lecture|pre-ministerial press conference)`

// kindOfLine is the release type a kind line states, "" for any other
// line.
func kindOfLine(line string) release.Type {
	line = strings.TrimSuffix(strings.TrimSpace(line), ":")
	if len(line) > 40 {
		return ""
	}
	if m := otherKind().FindStringSubmatch(line); m != nil {
		switch w := strings.ToLower(m[1]); {
		case strings.HasPrefix(w, "press release"), strings.Contains(w, " de presse"):
			return release.TypePressRelease
		case w == "news", strings.HasPrefix(w, "actualit"):
			return release.TypeNews
		default:
			return release.TypeOfficialText
		}
	}
	if speechKind().MatchString(line) {
		return release.TypeSpeech
	}
	return ""
}

// maxKindLines bounds the lines read for a kind line; kindLineSpan is how
// many elements after the title one may stand.
const (
	maxKindLines = 300
	kindLineSpan = 15
)

// kindLine is the type stated by the first kind line before the title or
// just after it, "" when none is.
func (s *pageScan) kindLine() release.Type {
	for _, n := range s.kindLines {
		if !s.attached(n) {
			continue
		}
		if t, short := shortText(n, 40); short {
			if k := kindOfLine(t); k != "" {
				return k
			}
		}
	}
	return ""
}

// pageByline is the new site's transcript by-line (h3.h3-style, "by NATO
// Secretary General Mark Rutte at …"), taken out of the page so that it
// is not read as text again; "" when there is none.
func (s *pageScan) pageByline() string {
	n := s.byline
	if n == nil || !s.attached(n) {
		return ""
	}
	t := clean(nodeText(n))
	if !isByline(t) {
		return ""
	}
	detach([]*html.Node{n})
	return t
}

func isByline(t string) bool {
	return len(t) > 6 && len(t) < 600 && strings.EqualFold(t[:3], "by ")
}

// bylineIn is the first of ps that is a by-line ("by NATO Secretary
// General Jens Stoltenberg") and the name it gives; "" when none is.
func bylineIn(ps []string) (line, name string) {
	for _, p := range ps {
		if m := byLine().FindStringSubmatch(p); m != nil {
			return p, strings.TrimSpace(m[1])
		}
	}
	return "", ""
}

// maxTitle is Discord's limit on an embed's title, in characters.
const maxTitle = 256

// titleWithByline makes a title of an h1 that is only a kind ("Press
// conference") and the by-line: "Press conference by NATO Secretary
// General Mark Rutte ahead of …", without the by-line's " | Place".
func titleWithByline(title, byline string) string {
	if byline == "" || kindOfLine(title) == "" {
		return title
	}
	by, _, _ := strings.Cut(byline, " | ")
	by = strings.TrimSpace(by)
	if strings.HasPrefix(by, "By ") {
		by = "by " + by[3:]
	}
	return title + " " + by
}

// cutTitle cuts a title to maxTitle characters on a word boundary.
func cutTitle(t string) string {
	if utf8.RuneCountInString(t) <= maxTitle {
		return t
	}
	cut := 0
	for i := range t {
		if utf8.RuneCountInString(t[:i]) > maxTitle-1 {
			break
		}
		if t[i] == ' ' {
			cut = i
		}
	}
	if cut == 0 {
		// One word longer than the limit: cut it between runes.
		for i := range t {
			if utf8.RuneCountInString(t[:i]) > maxTitle-1 {
				break
			}
			cut = i
		}
	}
	return strings.TrimRight(t[:cut], " ,;:–-|") + "…"
}

// speakerLine is a transcript's speaker line after "(As delivered)":
// "Mark Rutte, NATO Secretary General"; the role names an office, so that
// a place ("NATO Headquarters, Brussels") is not read as one.
var (
	speakerLine = lazyRegexp(`^((?:[A-Z][\p{L}'’.-]+ ){1,3}[A-Z][\p{L}'’.-]+), ((?:NATO |the )?[A-Z][\p{L} -]{2,60})$`)
	office      = lazyRegexp(`\b(?:Secretary|Spokesperson|Minister|President|Chair|Commander|Ambassador|Director|General|Admiral)\b`)
)

// labelSpeakerLine makes a speaker line among the first paragraphs of a
// transcript a turn label ("NATO Secretary General Mark Rutte:"), as the
// bold labels of the Q&A are. It reports whether it found one.
func labelSpeakerLine(body []string) bool {
	for i := range min(3, len(body)) {
		if m := speakerLine().FindStringSubmatch(body[i]); m != nil && office().MatchString(m[2]) {
			body[i] = m[2] + " " + m[1] + ":"
			return true
		}
	}
	return false
}

// dropRepeats drops a long paragraph that repeats an earlier one: some
// migrated pages carry their lead twice.
func dropRepeats(body []string) []string {
	seen := map[string]bool{}
	out := body[:0]
	for _, p := range body {
		if len(p) >= 80 {
			if seen[p] {
				continue
			}
			seen[p] = true
		}
		out = append(out, p)
	}
	return out
}

// typeOfLabel is the release type a label names ("Transcript", "news",
// "story", "Press release", …: a JSON listing's pageType, the type in
// Public's header line), "" for another.
func typeOfLabel(label string) release.Type {
	switch l := strings.ToLower(strings.TrimSpace(label)); {
	case l == "":
		return ""
	case strings.Contains(l, "transcript"), strings.Contains(l, "speech"):
		return release.TypeSpeech
	case strings.Contains(l, "press release"), strings.Contains(l, "press-release"):
		return release.TypePressRelease
	case strings.Contains(l, "official text"), strings.Contains(l, "official-text"):
		return release.TypeOfficialText
	case strings.Contains(l, "news"), l == "story", l == "article":
		return release.TypeNews
	}
	return ""
}

// KindTitle reports a title that is only a kind, or a kind and a by-line
// ("Doorstep statement by NATO Secretary General Mark Rutte at NATO
// Headquarters"): such titles recur, even on one day, and identify nothing.
func KindTitle(title string) bool {
	head, _, _ := strings.Cut(title, " by ")
	return kindOfLine(head) != ""
}
