package app

import (
	"strings"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/summary"
)

// buildAlert summarises a release into an alert.
func buildAlert(r *release.Release, kind release.Kind, version int, changes *release.Changes, m *summary.Matcher) release.Alert {
	sum, quotes := summary.Digest(r) // the quotes of a speech need its summary: made once
	return release.Alert{
		Kind:      kind,
		Source:    r.Source,
		URL:       r.URL,
		Title:     r.Title,
		Type:      r.Type,
		Published: r.Published,
		Reference: r.Reference,
		Summary:   sum,
		Quotes:    quotes,
		Matches:   m.Match(r),
		Changes:   changes,
		Version:   version,
	}
}

// diff lists the sentences an edit added and removed.
func diff(old, cur *release.Release) *release.Changes {
	was := map[string]bool{}
	for _, s := range summary.Sentences(old.Text()) {
		was[strings.Join(strings.Fields(s), " ")] = true
	}
	is := map[string]bool{}
	c := &release.Changes{}
	for _, s := range summary.Sentences(cur.Text()) {
		k := strings.Join(strings.Fields(s), " ")
		is[k] = true
		if !was[k] {
			c.Added = append(c.Added, s)
		}
	}
	for _, s := range summary.Sentences(old.Text()) {
		if !is[strings.Join(strings.Fields(s), " ")] {
			c.Removed = append(c.Removed, s)
		}
	}
	if old.Title != cur.Title {
		c.TitleChanged = old.Title
	}
	return c
}
