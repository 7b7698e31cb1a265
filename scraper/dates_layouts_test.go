package scraper

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// oldParseCandidate is parseCandidate before the layout groups: every layout in turn.
func oldParseCandidate(c string) (time.Time, bool) {
	if c == "" || !(c[0] >= '0' && c[0] <= '9' || c[0] >= 'A' && c[0] <= 'Z') {
		return time.Time{}, false
	}
	for _, layout := range dateLayout {
		t, err := time.ParseInLocation(layout, c, time.UTC)
		if err != nil {
			continue
		}
		if t.Year() < 1000 {
			return time.Time{}, false
		}
		if _, off := t.Zone(); off == 0 {
			t = t.UTC()
		}
		return t, true
	}
	return time.Time{}, false
}

// TestLayoutGroupsAgree checks that trying only the layouts of a candidate's
// group reads every candidate as trying them all did.
func TestLayoutGroupsAgree(t *testing.T) {
	n := 0
	for _, l := range dateLayout {
		if len(layoutsFor(l)) == 0 {
			t.Errorf("layout %q in no group", l)
		}
		found := false
		for _, x := range layoutsFor(l) {
			if x == l {
				found = true
			}
		}
		if !found {
			t.Errorf("layout %q not in its group %v", l, layoutsFor(l))
		}
		n++
	}
	total := len(monthFirst) + len(daySpaceFirst) + len(dayDashFirst) + len(slashFirst) + len(isoDate) + len(isoDateTime)
	if total != len(dateLayout) {
		t.Errorf("groups %d layouts %d", total, len(dateLayout))
	}
	ref := time.Date(2026, 3, 7, 14, 5, 9, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := "0123456789 -/:,.TZ+APMJanFebMarSepDecGMTx"
	for _, l := range dateLayout {
		for k := 0; k < 300; k++ {
			c := []byte(ref.Add(time.Duration(rng.Int64N(1e17))).Format(l))
			for m := rng.IntN(4); m > 0; m-- {
				switch rng.IntN(3) {
				case 0:
					c[rng.IntN(len(c))] = alphabet[rng.IntN(len(alphabet))]
				case 1:
					i := rng.IntN(len(c) + 1)
					c = append(c[:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, c[i:]...)...)
				case 2:
					if len(c) > 1 {
						i := rng.IntN(len(c))
						c = append(c[:i], c[i+1:]...)
					}
				}
			}
			s := string(c)
			t1, ok1 := oldParseCandidate(s)
			t2, ok2 := parseCandidate(s)
			if s != "" && !(s[0] >= '0' && s[0] <= '9' || s[0] >= 'A' && s[0] <= 'Z') {
				continue
			}
			if ok1 != ok2 || !t1.Equal(t2) || t1.Location().String() != t2.Location().String() {
				t.Fatalf("%q: old %v %v new %v %v", s, t1, ok1, t2, ok2)
			}
		}
	}
}

// TestParseDateMatchesReference checks ParseDate (date and error) against
// the reference copy of the code before its tokens were made without
// regular expressions, on texts made of date pieces.
func TestParseDateMatchesReference(t *testing.T) {
	pieces := []string{"07", "7", "24", "2017", "2026", "0001", "12345", " ", "  ", "-", "/", ".", ",", ":", "(", ")", "[", "|",
		"Aug.", "May", "Sept.", "juillet", "juil.", "Février", "déc.", "DECEMBER", "mar", "Monday,", "tue", "dimanche",
		"12:00", "12:00:00", "9:05 PM", "3:04PM", "25:99", "GMT", "CEST", "(UTC)", "+01:00", "-0700", "Z", "T",
		"1st", "2nd,", "3rd", "21er", "07th", "01st", "Last updated:", "\u00a0", "\u200b", "\ufeff", "\u2013", "\u202f", "\xff", "ſept",
		"2026-07-08T10:00:00Z", "11/02/2017 03:34", "27-Apr.-2017", "x", "Updated", "é"}
	rng := rand.New(rand.NewPCG(13, 14))
	parsed := 0
	for range sized(20000) {
		var b []byte
		for range 1 + rng.IntN(9) {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
			if rng.IntN(2) == 0 {
				b = append(b, ' ')
			}
		}
		s := string(b)
		got, gerr := ParseDate(s)
		want, werr := refParseDate(s)
		if !got.Equal(want) || got.Location().String() != want.Location().String() || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("ParseDate(%q) = %v, %v; want %v, %v", s, got, gerr, want, werr)
		}
		if ok := gerr == nil; ok {
			parsed++
			if g, ok2 := parseDate(s); !ok2 || !g.Equal(got) {
				t.Fatalf("parseDate(%q) = %v, %v", s, g, ok2)
			}
		}
	}
	if parsed < sized(1000) {
		t.Errorf("only %d dates read", parsed)
	}
}
