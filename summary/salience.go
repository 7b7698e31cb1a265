package summary

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
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
	"kind words", "introduction", "welcome to", "welcome back", "dear ",
	"madam chair", "madam president", "mr chair", "mr. chair", "mr president", "mr. president",
	"introductory remarks", "opening remarks", "a few remarks", "for having me", "to have me"}

// isCourtesy reports whether a sentence, lowered (appendLower), thanks,
// greets or compliments: a courtesy word within its first twelve words.
// ("Thanks to X, Y" is a cause, not thanks; but never a key line either.)
func isCourtesy(l []byte) bool {
	head := l[:wordsEnd(l, 12)]
	for _, c := range courtesyBytes {
		if bytes.Contains(head, c) {
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
	"follow us on", "security check", "live material", "in english, french", "in english and french",
	"(as delivered)", "check against delivery",
	// A host's hand-overs, wherever they stand.
	"next question", "last question", "final question", "one more question", "the floor is yours"}

// isLogistics reports whether a sentence, lowered, is about covering an
// event rather than the event.
func isLogistics(l []byte) bool {
	for _, c := range logisticsBytes {
		if bytes.Contains(l, c) {
			return true
		}
	}
	return false
}

// appendLower appends s to dst with ASCII letters in lower case: the
// phrase lists here are ASCII, and a byte slice reused from sentence to
// sentence keeps ranking free of allocations.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// wordsEnd returns where the first n space-separated words of l end.
func wordsEnd(l []byte, n int) int {
	in := false
	for i, c := range l {
		if c == ' ' {
			if in {
				if n--; n == 0 {
					return i + 1
				}
			}
			in = false
		} else {
			in = true
		}
	}
	return len(l)
}

// bytesOf turns a phrase list into byte slices, once.
func bytesOf(ps []string) [][]byte {
	out := make([][]byte, len(ps))
	for i, p := range ps {
		out[i] = []byte(p)
	}
	return out
}

var (
	courtesyBytes  = bytesOf(courtesyWords)
	logisticsBytes = bytesOf(logistics)
	metaBytes      = bytesOf(metaStarts)
	cueBytes       = func() [][]byte {
		out := make([][]byte, len(salientCues))
		for i, c := range salientCues {
			out[i] = []byte(c.cue)
		}
		return out
	}()
	billionBytes, millionBytes, percentBytes = []byte(" billion"), []byte(" million"), []byte("percent")
)

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
// a summary with, about -0.6 to 0.8: cues, numbers, length; minus
// meta-talk. l is the sentence lowered (appendLower) with a space before
// and after, so that cues such as " will " match at its ends too.
func salience(s string, l []byte) float64 {
	score := 0.0
	for i, c := range cueBytes {
		if bytes.Contains(l, c) {
			score += salientCues[i].w
		}
	}
	if strings.IndexFunc(s, unicode.IsDigit) >= 0 || bytes.Contains(l, billionBytes) || bytes.Contains(l, millionBytes) || bytes.Contains(l, percentBytes) {
		score += 0.2
	}
	head := bytes.TrimLeftFunc(l, func(r rune) bool { return r == ' ' || r >= utf8.RuneSelf || strings.ContainsRune(openerRunes, r) })
	for _, m := range metaBytes {
		if bytes.HasPrefix(head, m) {
			score -= 0.4
			break
		}
	}
	if n := wordCount(s); n < 8 {
		score -= 0.1 * float64(8-n) / 4
	}
	return min(score, 0.8)
}
