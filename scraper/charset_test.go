package scraper

import "testing"

func TestHTMLToUTF8(t *testing.T) {
	cp1252 := "D\xe9claration du Conseil \x96 \x93texte\x94"
	want := "Déclaration du Conseil – “texte”"
	tests := []struct {
		name, body, contentType, want string
	}{
		{"header", "<p>" + cp1252, "text/html; charset=windows-1252", "<p>" + want},
		{"meta charset", `<meta charset="windows-1252"><p>` + cp1252, "text/html", `<meta charset="windows-1252"><p>` + want},
		{"http-equiv", `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>` + cp1252, "", `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>` + want},
		{"utf-8 as is", "<p>" + want, "text/html; charset=utf-8", "<p>" + want},
		{"bom", "\xef\xbb\xbf<p>" + want, "text/html; charset=windows-1252", "<p>" + want},
		{"no label, valid utf-8", "<p>" + want, "", "<p>" + want},
	}
	for _, tc := range tests {
		if got := string(htmlToUTF8([]byte(tc.body), tc.contentType)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
