package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := MainContext(context.Background(), args, &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

func TestPreviewFile(t *testing.T) {
	sample := filepath.Join("..", "scraper", "testdata", "publicnow", "view.txt")
	code, out, stderr := runCLI(t, "preview", sample)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Press Point by NATO Secretary General Jens Stoltenberg", "Speech/transcript", "2 Nov 2017", "Summary:", "(NATO Secretary General Jens Stoltenberg)"} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "preview", sample, "--json")
	var msg map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &msg) != nil || msg["embeds"] == nil {
		t.Fatalf("--json: exit %d, %s", code, out)
	}
}

func TestUsageAndConfigErrorsExitTwo(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("sources:\n  - name: a\n    type: rss\n    url: nope\n    schedule: \"61 * * * *\"\n"), 0o600)
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"--config", filepath.Join(dir, "missing.yaml"), "once"},
		{"--config", bad, "once"},
		{"once", "extra"},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
	_, _, stderr := runCLI(t, "--config", bad, "once")
	if !strings.Contains(stderr, "sources[0].url") || !strings.Contains(stderr, "sources[0].schedule") {
		t.Errorf("config errors not named:\n%s", stderr)
	}
	if code, _, stderr := runCLI(t, "preview", filepath.Join(dir, "nothing.html")); code != 1 || !strings.Contains(stderr, "nothing.html") {
		t.Errorf("preview of a missing file: %d %s", code, stderr)
	}
}
