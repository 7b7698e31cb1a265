package app

import (
	"strings"
	"testing"
)

func TestSeriesEscapesAndSortsLabels(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{series("x"), "x"},
		{series("x", "source", "nato"), `x{source="nato"}`},
		{series("x", "source", "a", "result", "ok"), `x{result="ok",source="a"}`},
		{series("x", "source", "say \"hi\"\\\nbye"), `x{source="say \"hi\"\\\nbye"}`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
	// A source named with quotes and a line break is a valid series: the
	// metrics set accepts it and writes it back as it was named.
	m := newMetrics(func() float64 { return 0 })
	m.observeRoute("odd \"name\"\n", "json")
	var b strings.Builder
	m.write(&b)
	for _, want := range []string{
		`natowatch_listings_total{route="json",source="odd \"name\"\n"} 1`,
		"# HELP natowatch_listings_total Listings read, by the route that answered.\n# TYPE natowatch_listings_total counter\n",
		"\nprocess_open_fds ",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, b.String())
		}
	}
}
