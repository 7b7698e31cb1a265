package summary

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

// quoteDepth reads the quotation marks of s from depth d: “ « „ open,
// ” » close, a straight " closes when open and opens when not. ok is
// false when a mark closes nothing.
func quoteDepth(s string, d int) (depth int, ok bool) {
	ok = true
	for _, r := range s {
		switch r {
		case '“', '«', '„':
			d++
		case '”', '»':
			if d == 0 {
				ok = false
			} else {
				d--
			}
		case '"':
			if d > 0 {
				d--
			} else {
				d++
			}
		}
	}
	return d, ok
}

// balanced reports whether the quotation marks of s pair up.
func balanced(s string) bool {
	d, ok := quoteDepth(s, 0)
	return ok && d == 0
}

// cutsQuotation reports whether s, a summary sentence or a key quote,
// stands in a paragraph of body as a piece of a quotation: it starts or
// ends inside one, and is not the whole of what the marks hold.
func cutsQuotation(body []string, s string) bool {
	s = strings.Join(strings.Fields(s), " ")
	for _, p := range body {
		p = strings.Join(strings.Fields(p), " ")
		i := strings.Index(p, s)
		if i < 0 {
			continue
		}
		start := 0
		if j := strings.IndexAny(p, "“”«»„\""); j >= 0 && strings.ContainsRune("”»", firstRune(p[j:])) {
			start = 1 // goes on from the paragraph before
		}
		a, _ := quoteDepth(p[:i], start)
		b, _ := quoteDepth(p[:i+len(s)], start)
		if a == 0 && b == 0 {
			return false
		}
		// A whole quotation: a mark right before it and right after it
		// (a comma or stop between them aside).
		before, _ := utf8.DecodeLastRuneInString(strings.TrimRight(p[:i], " "))
		after := strings.TrimLeft(p[i+len(s):], ",.;:!? ")
		if strings.ContainsRune("“«„\"", before) && (after == "" || strings.ContainsRune("”»\"", firstRune(after))) {
			return false
		}
		return true
	}
	return false // not found as it stands (joined or cut): nothing to say
}

// checkHygiene checks what every alert owes its reader: no summary
// sentence or quote with unbalanced quotation marks, opening on a
// greeting, or cutting a quotation in two.
func checkHygiene(t *testing.T, name string, r *release.Release) {
	t.Helper()
	sum, qs := Digest(r)
	for _, s := range sum {
		switch {
		case !balanced(s):
			t.Errorf("%s: summary sentence with unbalanced quotation marks: %q", name, s)
		case opensOnGreeting(s):
			t.Errorf("%s: summary sentence opens on a greeting: %q", name, s)
		case cutsQuotation(r.Body, s):
			t.Errorf("%s: summary sentence is a piece of a quotation: %q", name, s)
		}
	}
	for _, q := range qs {
		switch {
		case !balanced(q.Text):
			t.Errorf("%s: quote with unbalanced quotation marks: %q", name, q.Text)
		case opensOnGreeting(q.Text):
			t.Errorf("%s: quote opens on a greeting: %q", name, q.Text)
		case !strings.HasSuffix(q.Text, "…") && cutsQuotation(r.Body, q.Text):
			t.Errorf("%s: quote is a piece of a quotation: %q", name, q.Text)
		}
	}
}

// TestHygiene checks the alerts of the real texts, of the sample, and of
// generated releases, damaged ones included.
func TestHygiene(t *testing.T) {
	for _, c := range corpusTexts(t) {
		checkHygiene(t, c.Name, c.release())
	}
	checkHygiene(t, "sample", loadSample(t))
	n := 400
	if testing.Short() {
		n = 40
	}
	for i, r := range genCorpus(t, n, 45, true) {
		checkHygiene(t, "generated "+string(rune('0'+i%10)), r)
	}
}

// TestHygieneChecks: the checks above see what they are for.
func TestHygieneChecks(t *testing.T) {
	body := []string{"“We are ready. Every Ally can count on us,” said the Deputy Secretary General."}
	if !cutsQuotation(body, "Every Ally can count on us,” said the Deputy Secretary General.") || !cutsQuotation(body, "“We are ready.") {
		t.Error("pieces of a quotation not seen")
	}
	if cutsQuotation(body, "We are ready. Every Ally can count on us") {
		t.Error("a whole quotation taken for a piece")
	}
	if balanced("Every Ally can count on us,” said X.") || !balanced("“Yes,\" he said.") {
		t.Error("balanced is wrong")
	}
	if !opensOnGreeting("Thank-you so Prime Minister …") || opensOnGreeting("Allies agreed.") {
		t.Error("opensOnGreeting is wrong")
	}
}
