package summary

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

func TestQuotesNews(t *testing.T) {
	tests := []struct {
		name string
		body []string
		want []release.Quote
	}{
		{
			name: "said after, curly",
			body: []string{"NATO Allies on Tuesday condemned the strike. “This reckless attack shows total disregard for civilian lives,” said NATO Spokesperson Allison Hart."},
			want: []release.Quote{{Text: "This reckless attack shows total disregard for civilian lives", Speaker: "NATO Spokesperson Allison Hart"}},
		},
		{
			name: "speaker then said, straight",
			body: []string{`"Our deterrence and defence remain strong and credible", NATO Secretary General Mark Rutte said.`},
			want: []release.Quote{{Text: "Our deterrence and defence remain strong and credible", Speaker: "NATO Secretary General Mark Rutte"}},
		},
		{
			name: "said colon before",
			body: []string{`Speaking in Brussels, Mr Rutte said: "We will continue to support Ukraine for as long as it takes."`},
			want: []release.Quote{{Text: "We will continue to support Ukraine for as long as it takes.", Speaker: "Mr Rutte"}},
		},
		{
			name: "said in a statement before",
			body: []string{"In a statement, NATO Spokesperson Allison Hart said on Monday: “Allies are consulting closely on the situation in the Black Sea.”"},
			want: []release.Quote{{Text: "Allies are consulting closely on the situation in the Black Sea.", Speaker: "NATO Spokesperson Allison Hart"}},
		},
		{
			name: "he resolved to the last named speaker",
			body: []string{
				"NATO Secretary General Mark Rutte said on Monday that Allies would meet in The Hague.",
				"“We must invest more, and we must invest faster,” he added.",
			},
			want: []release.Quote{{Text: "We must invest more, and we must invest faster", Speaker: "NATO Secretary General Mark Rutte"}},
		},
		{
			name: "she resolved to the last attributed speaker",
			body: []string{
				"“Allies stand united in the face of this aggression against a partner,” said NATO Spokesperson Allison Hart.",
				"“We will keep a close eye on the developments in the region,” she said.",
			},
			want: []release.Quote{
				{Text: "Allies stand united in the face of this aggression against a partner", Speaker: "NATO Spokesperson Allison Hart"},
				{Text: "We will keep a close eye on the developments in the region", Speaker: "NATO Spokesperson Allison Hart"},
			},
		},
		{
			name: "he without a named speaker: not shown",
			body: []string{"“We are ready to defend every inch of Allied territory,” he said."},
			want: nil,
		},
		{
			name: "he after narration naming the Secretary General",
			body: []string{
				"NATO Secretary General Jens Stoltenberg met the Prime Minister of the Netherlands in The Hague on Thursday.",
				"Mr. Stoltenberg underscored the importance of enabling local forces. “We can help them, train them, build local capacity,” he said.",
			},
			want: []release.Quote{{Text: "We can help them, train them, build local capacity", Speaker: "NATO Secretary General Jens Stoltenberg"}},
		},
		{
			name: "the Secretary General resolved, conveyed that",
			body: []string{
				"Secretary General Mark Rutte welcomed the Foreign Minister of Finland to NATO Headquarters.",
				"The Secretary General conveyed that “every Ally can count on the Alliance, today and tomorrow”.",
			},
			want: []release.Quote{{Text: "every Ally can count on the Alliance, today and tomorrow", Speaker: "Secretary General Mark Rutte"}},
		},
		{
			name: "the Chair resolved, a deputy kept apart",
			body: []string{
				"Chair of the NATO Military Committee Admiral Rob Bauer met the Deputy Secretary General on Monday.",
				"“Our forces are ready to defend every inch of Allied territory,” the Chair said.",
			},
			want: []release.Quote{{Text: "Our forces are ready to defend every inch of Allied territory", Speaker: "Chair of the NATO Military Committee Admiral Rob Bauer"}},
		},
		{
			name: "he is the subject, not a person the subject met",
			body: []string{
				"NATO Secretary General Jens Stoltenberg visited Seoul on Thursday. He said he had met President Moon Jae-in and Prime Minister Shinzo Abe.",
				"“North Korea must abandon its nuclear programme, once and for all,” he said.",
			},
			want: []release.Quote{{Text: "North Korea must abandon its nuclear programme, once and for all", Speaker: "NATO Secretary General Jens Stoltenberg"}},
		},
		{
			name: "a quotation over two paragraphs",
			body: []string{
				"NATO Secretary General Mark Rutte said: “All of us will pay a much higher price if aggression is rewarded.",
				"So we must stay the course.”",
			},
			want: []release.Quote{{Text: "All of us will pay a much higher price if aggression is rewarded. So we must stay the course.", Speaker: "NATO Secretary General Mark Rutte"}},
		},
		{
			name: "added the Secretary General",
			body: []string{`"The Alliance will not be intimidated by these threats" added the Secretary General.`},
			want: []release.Quote{{Text: "The Alliance will not be intimidated by these threats", Speaker: "Secretary General"}},
		},
		{
			name: "an interrupted quotation is one quote",
			body: []string{"“NATO is the most successful Alliance in history,” said Mr. Rutte. “It has kept our people safe for more than 75 years.”"},
			want: []release.Quote{
				{Text: "NATO is the most successful Alliance in history. It has kept our people safe for more than 75 years.", Speaker: "Mr. Rutte"},
			},
		},
		{
			name: "an interrupted quotation with a short first half",
			body: []string{"“We are ready,” said NATO Spokesperson Allison Hart. “Every Ally can count on us.”"},
			want: []release.Quote{
				{Text: "We are ready. Every Ally can count on us.", Speaker: "NATO Spokesperson Allison Hart"},
			},
		},
		{
			name: "scare quotes and unattributed quotations ignored",
			body: []string{
				"Russia's “hybrid” campaign continues. Experts call it “a new kind of grey zone war”.",
				"“This sentence is quoted but nobody is said to have said it.”",
				"“Totally unacceptable,” said NATO Spokesperson Allison Hart of the drone incursions.",
				"Mr Rutte said: “hybrid threats”.",
			},
			want: nil,
		},
		{
			name: "told reporters",
			body: []string{"“The Alliance has never been stronger than it is today,” Rutte told reporters in Brussels."},
			want: []release.Quote{{Text: "The Alliance has never been stronger than it is today", Speaker: "Rutte"}},
		},
		{
			name: "at most three, no duplicates",
			body: []string{
				"“One two three four five six,” said Hart.",
				"“One two three four five six,” said Hart again.",
				"“Seven eight nine ten eleven twelve,” said Hart.",
				"“Thirteen fourteen fifteen sixteen seventeen,” said Hart.",
				"“Eighteen nineteen twenty twenty-one twenty-two,” said Hart.",
			},
			want: []release.Quote{
				{Text: "One two three four five six", Speaker: "Hart"},
				{Text: "Seven eight nine ten eleven twelve", Speaker: "Hart"},
				{Text: "Thirteen fourteen fifteen sixteen seventeen", Speaker: "Hart"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Quotes(&release.Release{Type: release.TypeNews, Title: "NATO news", Body: tt.body})
			if !slices.Equal(got, tt.want) {
				t.Errorf("Quotes =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestQuotesLong(t *testing.T) {
	long := strings.Repeat("Allies will defend every inch of Allied territory ", 10)
	got := Quotes(&release.Release{Body: []string{"“" + long + "”, said Hart."}})
	if len(got) != 1 {
		t.Fatalf("got %d quotes", len(got))
	}
	if n := utf8.RuneCountInString(got[0].Text); n > maxQuoteRunes || !strings.HasSuffix(got[0].Text, "…") {
		t.Errorf("quote has %d runes: %q", n, got[0].Text)
	}
}

func TestSampleQuotes(t *testing.T) {
	r := loadSample(t)
	got := Quotes(r)
	if len(got) != 3 {
		t.Fatalf("got %d quotes, want 3: %q", len(got), got)
	}
	sentences := Sentences(r.Text())
	last := -1
	for _, q := range got {
		if q.Speaker != "NATO Secretary General Jens Stoltenberg" {
			t.Errorf("speaker %q, want NATO Secretary General Jens Stoltenberg", q.Speaker)
		}
		// A sentence, or one quoted from the word after its opening
		// connective (standAlone).
		i := slices.IndexFunc(sentences, func(s string) bool { line, ok := standAlone(s); return ok && line == q.Text })
		if i < 0 {
			t.Errorf("quote %q is not a sentence of the speech", q.Text)
		}
		if i <= last {
			t.Errorf("quote %q out of order", q.Text)
		}
		last = i
		if strings.Contains(q.Text, "Good evening") || strings.Contains(q.Text, "questions") || wordCount(q.Text) < minSpeechQuoteWords {
			t.Errorf("not a quote: %q", q.Text)
		}
	}
}

func TestSpeechTurns(t *testing.T) {
	r := &release.Release{
		Type:  release.TypeSpeech,
		Title: "Joint press conference with NATO Secretary General Mark Rutte and the Prime Minister of Norway",
		Body: []string{
			"Oana Lungescu (NATO Spokesperson): Good afternoon. The Secretary General and the Prime Minister will make opening remarks and then take a few questions.",
			"Prime Minister of Norway: Norway will increase its defence budget substantially over the next decade.",
			"NATO Secretary General Mark Rutte: Thank you so much, Prime Minister.",
			"Norway is a highly valued Ally and a leader in the High North.",
			"Question (NRK): Secretary General, will NATO deploy more forces to the High North this year?",
			"We are looking at all options, says the journalist, quoting her editor at length here today.",
			"Mark Rutte [NATO Secretary General]: The Alliance is stepping up its presence in the High North.",
		},
	}
	got := Quotes(r)
	want := []release.Quote{
		{Text: "Norway is a highly valued Ally and a leader in the High North.", Speaker: "NATO Secretary General Mark Rutte"},
		{Text: "The Alliance is stepping up its presence in the High North.", Speaker: "NATO Secretary General Mark Rutte"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Quotes =\n%q\nwant\n%q", got, want)
	}
}

// TestNewsQuotesSalient: of many quotations, the key quotes are the
// salient ones, shown in text order.
func TestNewsQuotesSalient(t *testing.T) {
	r := &release.Release{Title: "Allies agree new air defence plan", Type: release.TypeNews, Body: []string{
		"NATO Secretary General Mark Rutte welcomed Defence Ministers to NATO Headquarters on Thursday.",
		"“It is always nice to be back in this building with friends,” he said.",
		"“The weather in Brussels was kind to us this week, for once,” he joked, before the meeting.",
		"“Today Allies agreed a new air defence plan, with 40 more batteries by 2027,” Mr Rutte said.",
		"“We discussed many things over a good lunch with all the ministers,” he added.",
		"“Russia must understand that we will defend every inch of Allied territory,” he warned.",
		"“We condemn the latest drone incursions into Allied airspace in the strongest terms,” he said.",
	}}
	got := Quotes(r)
	want := []string{"Today Allies agreed a new air defence plan", "Russia must understand", "We condemn the latest drone incursions"}
	if len(got) != len(want) {
		t.Fatalf("Quotes = %q, want %d quotes", got, len(want))
	}
	for k, q := range got {
		if !strings.HasPrefix(q.Text, want[k]) || q.Speaker != "NATO Secretary General Mark Rutte" {
			t.Errorf("quote %d = %q by %q, want %q… by NATO Secretary General Mark Rutte", k, q.Text, q.Speaker, want[k])
		}
	}
}

// A time word that opens the sentence is not part of the speaker's name.
func TestTimeWordIsNotTheSpeakersName(t *testing.T) {
	for p, want := range map[string]string{
		"Yesterday President Zelenskyy told me: “Every Patriot battery saves lives in Ukraine, every single day and every night.”":                "President Zelenskyy",
		"Today Foreign Minister Radosław Sikorski said: “Poland will host the new air defence centre and train crews from all Allies.”":           "Foreign Minister Radosław Sikorski",
		"“Every Patriot battery saves lives in Ukraine, every single day and every night,” Yesterday President Zelenskyy said, speaking in Kyiv.": "President Zelenskyy",
	} {
		r := &release.Release{Title: "NATO Allies discuss air defence", Type: release.TypeNews,
			Body: []string{"NATO Allies met in Brussels on Thursday to discuss air defence for Ukraine.", p}}
		_, qs := Digest(r)
		if len(qs) != 1 || qs[0].Speaker != want {
			t.Errorf("%q: quotes %q, want one by %q", p, qs, want)
		}
	}
}
