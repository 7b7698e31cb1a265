package scraper

import (
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
