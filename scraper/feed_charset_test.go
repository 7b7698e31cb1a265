package scraper

import (
	"net/url"
	"testing"
)

// A feed in windows-1252 that says so in its XML declaration reads as
// UTF-8 (NATO's French texts; any newsroom on an old CMS).
func TestFeedInWindows1252(t *testing.T) {
	body := []byte("<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n" +
		"<rss version=\"2.0\"><channel><title>OTAN</title>" +
		"<item><title>D\xe9claration du Conseil \x96 \x93Ukraine\x94</title><link>https://www.nato.int/cps/fr/natohq/news_1.htm</link>" +
		"<description>Le Conseil de l\x92Atlantique Nord a adopt\xe9 une d\xe9claration.</description></item>" +
		"</channel></rss>")
	base, _ := url.Parse("https://www.nato.int/")
	cs, err := ParseFeed(body, base)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Title != "Déclaration du Conseil – “Ukraine”" || cs[0].Summary != "Le Conseil de l’Atlantique Nord a adopté une déclaration." {
		t.Fatalf("got %+v", cs)
	}
}
