package state

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

// TestSQLite3CLI runs the README's operator commands with the sqlite3 CLI
// installed on the machine (CI installs Debian's, 3.40 on Debian 12) on a
// real state: a backup, a query, VACUUM; natowatch still opens the result.
// It skips without sqlite3 unless NATOWATCH_REQUIRE_SQLITE3 is set.
func TestSQLite3CLI(t *testing.T) {
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("NATOWATCH_REQUIRE_SQLITE3") != "" {
			t.Fatal("NATOWATCH_REQUIRE_SQLITE3 is set and sqlite3 is not installed")
		}
		t.Skip("no sqlite3 CLI (set NATOWATCH_REQUIRE_SQLITE3 to require it)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "natowatch.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		r := release.Release{Source: "nato", URL: fmt.Sprintf("https://www.nato.int/r%d", i), Title: fmt.Sprintf("Release %d", i),
			Published: t0, Body: []string{fmt.Sprintf("First paragraph %d about deterrence.", i), "Second paragraph on air defence."}}
		if _, err := s.Save(ctx, Put{Release: r, Keys: []string{"url:" + r.URL}, Fingerprint: "f", Version: 1, PageURL: r.URL,
			Alert: &release.Alert{Kind: release.KindNew, Version: 1, URL: r.URL}, Recipients: recipients("channel:1")}, t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Search(ctx, "deterrence", 10); err != nil { // indexes what waits
		t.Fatal(err)
	}
	s.Close()

	sqlite3 := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil || strings.Contains(string(out), "Error") {
			t.Fatalf("sqlite3 %q: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	t.Logf("%s", sqlite3("--version"))
	copyPath := filepath.Join(dir, "copy.db")
	sqlite3(path, ".backup "+copyPath)
	if got := sqlite3(copyPath, "SELECT count(*) FROM releases"); got != "3" {
		t.Fatalf("releases in the copy: %q", got)
	}
	if got := sqlite3(copyPath, "SELECT body FROM releases_text WHERE id = 1"); got != "First paragraph 0 about deterrence.\nSecond paragraph on air defence." {
		t.Fatalf("releases_text: %q", got)
	}
	if got := sqlite3(copyPath, "SELECT count(*) FROM releases_fts WHERE releases_fts MATCH 'defence'"); got != "3" {
		t.Fatalf("full-text query: %q", got)
	}
	sqlite3(path, "VACUUM")
	sqlite3(copyPath, "VACUUM")
	for _, p := range []string{path, copyPath} {
		s, err := OpenSQLite(ctx, p)
		if err != nil {
			t.Fatalf("natowatch cannot open %s after sqlite3: %v", filepath.Base(p), err)
		}
		hits, err := s.Search(ctx, "air defence", 10)
		if err != nil || len(hits) != 3 {
			t.Fatalf("%s: search = %d hits, %v", filepath.Base(p), len(hits), err)
		}
		if due, err := s.Due(ctx, t0, 10); err != nil || len(due) != 3 {
			t.Fatalf("%s: due = %d, %v", filepath.Base(p), len(due), err)
		}
		s.Close()
	}
}
