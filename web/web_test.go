package web

import "testing"

// Entry ids are RFC 9562 version 5 UUIDs of the URL (Python's uuid.uuid5
// with NAMESPACE_URL gives the same).
func TestEntryID(t *testing.T) {
	if got, want := entryID("https://www.nato.int/en/news/2026/11/26/speech-2"), "urn:uuid:075bb286-67f4-5bd8-9e5c-222a7deed5fe"; got != want {
		t.Errorf("entryID = %s, want %s", got, want)
	}
}

// Only http(s) URLs become links.
func TestSafeURL(t *testing.T) {
	for u, want := range map[string]string{
		"https://www.nato.int/x": "https://www.nato.int/x", "HTTP://a.b/": "HTTP://a.b/",
		"javascript:alert(1)": "", " javascript:alert(1)": "", "data:text/html,<script>": "", "//evil.example/": "", "": "",
	} {
		if got := safeURL(u); got != want {
			t.Errorf("safeURL(%q) = %q, want %q", u, got, want)
		}
	}
}
