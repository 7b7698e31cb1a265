package summary

import (
	"strings"
	"unicode"
)

// What a journalist would lift from a release, and what never: salience
// favours commitments, decisions, numbers and warnings; courtesy and
// logistics are chaff wherever they stand in a sentence.

// courtesyWords, among a sentence's first words, mark thanks, greetings
// and compliments to the host ("Also many thanks to you President …",
// "Let me begin with thanking Romania …", "It is great to be back").
var courtesyWords = []string{"thank", "congratulat", "pleasure", "honour to", "honor to",
	"honoured", "honored", "delighted", "glad to", "great to be", "good to be",
	"great to see", "good to see", "great to meet", "nice to", "ready to start",
	"kind words", "introduction", "welcome to", "welcome back", "dear "}

// isCourtesy reports whether a sentence thanks, greets or compliments:
// a courtesy word within its first eight words.
func isCourtesy(s string) bool {
	head := firstWords(s, 8)
	for _, c := range courtesyWords {
		if strings.Contains(head, c) {
			// "Thanks to X, Y": a cause, not thanks; but never a
			// key line either.
			return true
		}
	}
	return false
}

// logistics anywhere in a sentence mark a media advisory's practicalities.
var logistics = []string{"streamed live", "be streamed", "will stream", "stream all", "live on the nato website",
	"available live", "live transmission", "live footage", "photo opportunit", "family photo",
	"accreditation", "media pass", "pool card", "pool access", "audio files", "b-roll",
	"broadcast quality", "broadcast-quality", "free of rights", "free of charge", "please register",
	"sat van", "eurovision", "original sound", "language feeds", "media programme",
	"press area", "media centre", "media center", "press officers", "cctv", "will be available on the nato website",
	"follow us on", "security check"}

// isLogistics reports whether a sentence is about covering an event
// rather than the event.
func isLogistics(s string) bool {
	l := strings.ToLower(s)
	for _, c := range logistics {
		if strings.Contains(l, c) {
			return true
		}
	}
	return false
}

// firstWords returns the first n words of s, lower case, single-spaced,
// with a space after each.
func firstWords(s string, n int) string {
	var b strings.Builder
	for k, w := range strings.Fields(s) {
		if k == n {
			break
		}
		b.WriteString(strings.ToLower(strings.Trim(w, openerRunes)))
		b.WriteByte(' ')
	}
	return b.String()
}

// connectives open a sentence that leans on the one before it.
var connectives = setOf("and", "but", "so", "or", "because", "yet", "then", "also", "therefore", "thus", "nor")

// opensOnConnective reports whether s starts with one of connectives.
func opensOnConnective(s string) bool {
	var buf [16]byte
	w, next := nextWord(s, 0, buf[:0])
	return next >= 0 && connectives[string(w)]
}

// salientCues are what a journalist lifts, with how much each adds:
// condemnations, demands and warnings most, then decisions and
// commitments.
var salientCues = []struct {
	cue string
	w   float64
}{
	{"condemn", 0.3}, {" must ", 0.25}, {"threat", 0.2}, {"danger", 0.2}, {"warn", 0.2},
	{"aggression", 0.2}, {"unacceptable", 0.2}, {"never ", 0.15}, {"violation", 0.2},
	{"call on", 0.2}, {"calls on", 0.2}, {"nuclear", 0.15}, {"missile", 0.1},
	{"agreed", 0.2}, {"decided", 0.2}, {"decide ", 0.15}, {"decision", 0.15},
	{"commit", 0.15}, {"pledge", 0.15}, {"announce", 0.15}, {"reaffirm", 0.15},
	{" will ", 0.1}, {"attack", 0.1}, {"deter", 0.1}, {"defend", 0.1}, {"invest", 0.1},
	{"solidarity", 0.1}, {"sanction", 0.1}, {"deploy", 0.1}, {"establish", 0.1},
	{"launch", 0.1}, {"increase", 0.1}, {"strengthen", 0.1}, {"support", 0.05},
	{"responsib", 0.1}, {"prevail", 0.1}, {"war ", 0.1}, {"our position", 0.2},
}

// metaStarts open sentences that talk about the talk, not the news:
// "First, on our military capabilities.", "Let me start with …".
var metaStarts = []string{"first,", "second,", "third,", "finally,", "let me ", "i will try",
	"i'll ", "i think ", "as you ", "as i said", "today, i want to", "i want to",
	"i would like to", "i'd like to", "kidding", "okay", "ok,", "well,"}

// salience scores how much a sentence is a line worth quoting or leading
// a summary with, about 0 to 1: cues, numbers, length; minus meta-talk.
func salience(s string) float64 {
	l := " " + strings.ToLower(s) + " "
	score := 0.0
	for _, c := range salientCues {
		if strings.Contains(l, c.cue) {
			score += c.w
		}
	}
	if strings.IndexFunc(s, unicode.IsDigit) >= 0 || strings.Contains(l, " billion") || strings.Contains(l, " million") || strings.Contains(l, "percent") {
		score += 0.2
	}
	head := firstWords(s, 6)
	for _, m := range metaStarts {
		if strings.HasPrefix(head, m) {
			score -= 0.4
			break
		}
	}
	if n := wordCount(s); n < 8 {
		score -= 0.1 * float64(8-n) / 4
	}
	return min(score, 0.8)
}
