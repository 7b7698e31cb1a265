package scraper

import "testing"

func TestNoiseNames(t *testing.T) {
	for name, want := range map[string]bool{
		"": false, "-": false, "share": true, "Share-Tools": true, "site_header": true, "site header": true,
		"siteheader": false, "read-more": true, "more-from-nato": true, "x read more": true, "cmp-image__image": true,
		"image--box": true, "ÉLAN menu": true, "LANGUAGE_SELECTOR": true, "lang-switch": true, "sign-up": true,
		"signup": true, "pn-release__tools": true, "cmp-navigation__item": false, "cmp-text": false,
		"ca04-rich-text": false, "header": false, "shares": false, "cmp-title__text": false,
	} {
		if got := isNoiseName(name); got != want {
			t.Errorf("isNoiseName(%q) = %v, want %v", name, got, want)
		}
	}
}
