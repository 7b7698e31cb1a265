package scraper

import (
	"strings"
	"testing"
)

// TestNoiseNames checks isNoiseName against the reference's word lists.
func TestNoiseNames(t *testing.T) {
	names := []string{"", "-", "share", "Share-Tools", "site_header", "site header", "siteheader", "read-more", "more-from-nato",
		"x read more", "cmp-image__image", "image--box", "ſhare", "ÉLAN menu", "LANGUAGE_SELECTOR", "lang-switch", "sign-up",
		"signup", "pn-release__tools", "cmp-navigation__item", strings.Repeat("a-", 70) + "menu", strings.Repeat("A", 200)}
	for w := range refNoiseWords {
		names = append(names, w, strings.ToUpper(w), "x-"+w+"-y", w+"s")
	}
	for p := range refNoisePairs {
		a, b, _ := strings.Cut(p, " ")
		names = append(names, a+"-"+b, a+"_"+b, a+b, b+"-"+a)
	}
	for _, n := range names {
		if got, want := isNoiseName(n), refIsNoiseName(n); got != want {
			t.Errorf("isNoiseName(%q) = %v, want %v", n, got, want)
		}
	}
}
