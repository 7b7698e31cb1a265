package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakenato"
	"github.com/natowatch/natowatch/internal/testbin"
)

// natowatch doctor, through the binary, against the fake site: it prints
// the routes, the items and the newest three; it writes no state; its
// exit code turns to 1 on an injected problem.
func TestDoctorThroughTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := testbin.Build(t)
	site := fakenato.New(t)
	now := time.Now().UTC()
	site.Publish(fakenato.Item{Kind: "transcript", Slug: "press-conference", Title: "Press conference", Date: now.AddDate(0, 0, -2), Paragraphs: plainParagraphs})
	site.Publish(fakenato.Item{Title: "NATO Defence Ministers review capability targets", Date: now.Add(-2 * time.Hour), Paragraphs: plainParagraphs})
	site.Publish(fakenato.Item{Kind: "official-text", Title: "Statement by NATO Defence Ministers", Date: now.Add(-time.Hour), Paragraphs: plainParagraphs})
	site.Publish(fakenato.Item{Slug: "allies-condemn-launch", Title: "NATO Allies condemn North Korea's ballistic missile launch", Date: now, Paragraphs: koreaParagraphs})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "natowatch.yaml")
	state := filepath.Join(dir, "state.db")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`state: %s
discord:
  token: ${DISCORD_TOKEN}
http:
  per_host_rate: 1000
sources:
  - name: nato
    type: nato
    url: %s
`, state, site.URL())), 0o600)
	doctor := func(args ...string) (int, string, string) {
		cmd := exec.Command(bin, append([]string{"--config", cfg, "doctor"}, args...)...)
		cmd.Env = []string{} // no DISCORD_TOKEN: the doctor needs none
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), out.String(), errb.String()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, out.String(), errb.String()
	}

	code, out, stderr := doctor()
	if code != 0 {
		t.Fatalf("healthy site: exit %d\n%s\n%s", code, out, stderr)
	}
	t.Logf("natowatch doctor:\n%s", out)
	for _, want := range []string{"== nato (nato)", "route: json+sitemap; 4 items listed", "  json  ", "  sitemap ", "  hub  ",
		"1. " + site.URL() + "/en/news-and-events/articles/news/", "title:   NATO Allies condemn North Korea's ballistic missile launch",
		"kind: news", "first:   NATO Allies on Thursday condemned", "summary: ", "quote:   ", "(NATO Spokesperson Allison Hart)", "verdict: ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(state); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the doctor wrote a state: %v", err)
	}

	site.Set(fakenato.Options{DialogInBody: true})
	if code, out, _ := doctor("nato"); code != 1 || !strings.Contains(out, "warning: dialog text in body") || !strings.Contains(out, "warning(s): dialog text in body") {
		t.Errorf("dialog text in the body: exit %d\n%s", code, out)
	}
	site.Set(fakenato.Options{})
	site.Fail(fakenato.SearchPath("news"), 400)
	if code, out, _ := doctor(); code != 1 || !strings.Contains(out, "JSON listing refused, using the sitemap") || !strings.Contains(out, "4 items listed") {
		t.Errorf("JSON listing refused: exit %d\n%s", code, out)
	}
	if code, _, stderr := doctor("nope"); code != 2 || !strings.Contains(stderr, `no source named "nope"`) {
		t.Errorf("unknown source: exit %d %s", code, stderr)
	}
}

// A doctor stopped by a signal gives no verdict on what it cut short and
// exits 130, as preview does: the source is not to blame.
func TestDoctorStoppedBySignal(t *testing.T) {
	hung := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hung <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "natowatch.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("state: %s\nsources:\n  - name: slow\n    type: rss\n    url: %s/feed\n", filepath.Join(dir, "state.db"), srv.URL)), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- MainContext(ctx, []string{"--config", cfg, "doctor"}, &out, &errb, func(string) string { return "" })
	}()
	<-hung
	cancel()
	if code := <-done; code != 130 || strings.Contains(out.String(), "verdict") {
		t.Fatalf("doctor stopped: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
}

// A config problem about an unset variable's placeholder says which
// variables were not set.
func TestDoctorNamesUnsetVariables(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "natowatch.yaml")
	os.WriteFile(cfg, []byte("state: "+filepath.Join(dir, "state.db")+"\nsources:\n  - name: feed\n    type: rss\n    url: ${FEED_URL}\n"), 0o600)
	var out, errb bytes.Buffer
	code := MainContext(context.Background(), []string{"--config", cfg, "doctor"}, &out, &errb, func(string) string { return "" })
	if code != 2 || !strings.Contains(errb.String(), "not set, read as placeholders (\"unset-NAME\"): ${FEED_URL}") {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
}
