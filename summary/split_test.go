package summary

import (
	"slices"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"blank lines only", " \n\n \t\n", nil},
		{"two plain", "Allies met today. They agreed a plan.", []string{"Allies met today.", "They agreed a plan."}},
		{"U.S. mid-sentence", "The U.S. and Canada agreed. Canada will lead.", []string{"The U.S. and Canada agreed.", "Canada will lead."}},
		{"U.S. before a title", "He met the U.S. Secretary of State. They talked.", []string{"He met the U.S. Secretary of State.", "They talked."}},
		{"U.S. at sentence end", "Talks were held in the U.S. The Allies welcomed them.", []string{"Talks were held in the U.S.", "The Allies welcomed them."}},
		{"Mr. and Dr.", "Mr. Rutte met Dr. Smith in Brussels. They spoke.", []string{"Mr. Rutte met Dr. Smith in Brussels.", "They spoke."}},
		{"Gen. and Lt.", "Gen. Cavoli and Lt. Col. Jones attended. It went well.", []string{"Gen. Cavoli and Lt. Col. Jones attended.", "It went well."}},
		{"No. 5", "See Resolution No. 5 for details. It is binding.", []string{"See Resolution No. 5 for details.", "It is binding."}},
		{"No. as a word", "The answer was No. The vote failed.", []string{"The answer was No.", "The vote failed."}},
		{"a.m. mid-sentence", "The meeting starts at 9 a.m. on Monday. Ministers attend.", []string{"The meeting starts at 9 a.m. on Monday.", "Ministers attend."}},
		{"p.m. at sentence end", "The meeting ended at 5 p.m. The next one is Tuesday.", []string{"The meeting ended at 5 p.m.", "The next one is Tuesday."}},
		{"a.m. before a time zone", "It starts at 10 a.m. CET in Brussels. Come early.", []string{"It starts at 10 a.m. CET in Brussels.", "Come early."}},
		{"e.g. and i.e.", "Some Allies, e.g. Norway, i.e. the north, agreed. Others did not.", []string{"Some Allies, e.g. Norway, i.e. the north, agreed.", "Others did not."}},
		{"e.g. before a capital", "Several partners, e.g. Japan and Korea, attended. Good.", []string{"Several partners, e.g. Japan and Korea, attended.", "Good."}},
		{"initials", "The book by J. Stoltenberg was published. J.F. Kennedy spoke.", []string{"The book by J. Stoltenberg was published.", "J.F. Kennedy spoke."}},
		{"decimals", "Spending rose by 2.5 per cent. It was 3.14 billion.", []string{"Spending rose by 2.5 per cent.", "It was 3.14 billion."}},
		{"quote continues with lower case", "“Stop.” he said to the crowd. Then he left.", []string{"“Stop.” he said to the crowd.", "Then he left."}},
		{"question in quote continues", "“Why now?” she asked the minister. He did not answer.", []string{"“Why now?” she asked the minister.", "He did not answer."}},
		{"quote then attribution clause", "“We will defend every inch.” Mr Rutte said. Allies agreed.", []string{"“We will defend every inch.” Mr Rutte said.", "Allies agreed."}},
		{"quote ends sentence", "She said: “This is great.” The book was out.", []string{"She said: “This is great.”", "The book was out."}},
		{"exclamation and question", "Never again! Are we ready? Yes.", []string{"Never again!", "Are we ready?", "Yes."}},
		{"ellipsis", "I never meant that... She left the room.", []string{"I never meant that...", "She left the room."}},
		{"paragraph break ends sentence", "A heading without a stop\n\nThe text starts here. And ends here", []string{"A heading without a stop", "The text starts here.", "And ends here"}},
		{"single newline is a space", "Allies met\nin Brussels.   They\tagreed.", []string{"Allies met in Brussels.", "They agreed."}},
		{"list numbers", "1. The first item. 2. The second item.", []string{"1. The first item.", "2. The second item."}},
		{"year at end", "The Alliance was founded in 1949. It has grown.", []string{"The Alliance was founded in 1949.", "It has grown."}},
		{"Jan. 12", "It was signed on Jan. 12 in Paris. Allies cheered.", []string{"It was signed on Jan. 12 in Paris.", "Allies cheered."}},
		{"parenthesis", "He spoke (briefly.) Then he left.", []string{"He spoke (briefly.)", "Then he left."}},
		{"CRLF paragraphs", "First one.\r\n\r\nSecond one.", []string{"First one.", "Second one."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sentences(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestSentencesKeepText checks that splitting drops nothing but whitespace.
func TestSentencesKeepText(t *testing.T) {
	r := loadSample(t)
	text := r.Text()
	got := Sentences(text)
	if len(got) < 60 {
		t.Fatalf("sample split into %d sentences, want at least 60", len(got))
	}
	strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if a, b := strip(strings.Join(got, " ")), strip(text); a != b {
		t.Errorf("sentences do not hold the text:\n%s\n%s", a, b)
	}
	for _, s := range got {
		if s != strings.TrimSpace(s) || s == "" {
			t.Errorf("sentence %q is not trimmed", s)
		}
	}
}
