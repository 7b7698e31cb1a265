package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/internal/fakenato"
	"github.com/natowatch/natowatch/internal/testbin"
)

// envInt reads a knob of the soak form of this test (scripts/soak.sh).
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestFaults runs the real daemon against a Discord that fails (500s,
// 429s, replies dropped after the message was created) while a NATO site
// publishes releases, and kills the daemon with SIGKILL at random moments.
// Every release must reach the channel target exactly once and the webhook
// target at least once (resends after a lost reply are counted).
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daemon for a while")
	}
	releases := envInt("NATOWATCH_FAULT_RELEASES", 20)
	kills := envInt("NATOWATCH_FAULT_KILLS", 30)
	seed := uint64(envInt("NATOWATCH_FAULT_SEED", int(time.Now().UnixNano()%1e9)))
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("releases=%d kills=%d seed=%d", releases, kills, seed)

	bin := testbin.Build(t)
	dir := t.TempDir()
	site := fakenato.New(t)
	discord := fakediscord.New(t, fakediscord.WithRouteLimit(5, time.Second))
	const channel = "223344556677889900"
	hookID := "900000000000000001"
	cfg := filepath.Join(dir, "natowatch.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`state: %s
discord:
  token: %s
  api: %s
http:
  backoff: 10ms
  per_host_rate: 1000
sources:
  - name: nato
    type: nato
    url: %s
    schedule: "@every 1s"
targets:
  - channel: "%s"
  - webhook: %s
delivery:
  interval: 100ms
  retry_base: 100ms
log:
  format: json
`, filepath.Join(dir, "state.db"), fakediscord.DefaultToken, discord.API(), site.URL(), channel, discord.WebhookURL(hookID, "tok"))), 0o600)

	logs := &bytes.Buffer{}
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "--config", cfg, "run")
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// A first, quiet check (of a site with one old release) must complete
	// before anything is published.
	site.Publish(fakenato.Item{Slug: "before", Title: "A release from before natowatch started watching", Date: time.Now().Add(-time.Hour),
		Paragraphs: []string{"NATO Allies met in Brussels to discuss the readiness of their forces and agreed to continue their work."}})
	cmd := start()
	waitUntil(t, 20*time.Second, func() bool { total, _ := site.Hits(fakenato.SearchPath("news")); return total >= 2 })

	published := 0
	faults := 0
	for k := 0; k < kills; k++ {
		// Publish some, inject faults, let it work a random while, kill.
		for n := rng.IntN(3); n > 0 && published < releases; n-- {
			site.Publish(fakenato.Item{Slug: fmt.Sprintf("release-%03d", published),
				Title:      fmt.Sprintf("Release %03d: NATO Allies agree on measure number %d", published, published),
				Date:       time.Now(),
				Paragraphs: []string{fmt.Sprintf("NATO Allies agreed on measure number %d at a meeting in Brussels, to strengthen deterrence and defence across the Alliance.", published)}})
			published++
		}
		switch rng.IntN(4) {
		case 0:
			discord.FailNext(1+rng.IntN(2), 500)
			faults++
		case 1:
			discord.RateLimitNext(1, 50*time.Millisecond)
			faults++
		case 2:
			discord.DropReplyNext(1)
			faults++
		}
		time.Sleep(time.Duration(100+rng.IntN(700)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		cmd = start()
	}
	for published < releases {
		site.Publish(fakenato.Item{Slug: fmt.Sprintf("release-%03d", published),
			Title:      fmt.Sprintf("Release %03d: NATO Allies agree on measure number %d", published, published),
			Date:       time.Now(),
			Paragraphs: []string{fmt.Sprintf("NATO Allies agreed on measure number %d at a meeting in Brussels, to strengthen deterrence and defence across the Alliance.", published)}})
		published++
	}
	// Let it finish.
	deadline := time.Now().Add(time.Duration(90+releases/2) * time.Second)
	for len(titles(discord.MessagesIn(channel))) < releases || len(titles(discord.MessagesIn("webhook:"+hookID))) < releases {
		if time.Now().After(deadline) {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			t.Fatalf("not all delivered in time: channel %d, webhook %d of %d\nlogs (tail):\n%s",
				len(titles(discord.MessagesIn(channel))), len(titles(discord.MessagesIn("webhook:"+hookID))), releases, tail(logs.String(), 40))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // anything still to come would be a duplicate
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	chCount := countTitles(discord.MessagesIn(channel))
	hookCount := countTitles(discord.MessagesIn("webhook:" + hookID))
	lost, chDup, hookDup := 0, 0, 0
	for i := 0; i < releases; i++ {
		title := fmt.Sprintf("Release %03d: NATO Allies agree on measure number %d", i, i)
		if chCount[title] == 0 || hookCount[title] == 0 {
			lost++
			t.Errorf("lost: %q (channel %d, webhook %d)", title, chCount[title], hookCount[title])
		}
		if chCount[title] > 1 {
			chDup++
			t.Errorf("channel got %q %d times", title, chCount[title])
		}
		if hookCount[title] > 1 {
			hookDup += hookCount[title] - 1
		}
	}
	if r := discord.Rejections(); len(r) > 0 {
		t.Errorf("Discord rejected %d requests: %+v", len(r), r[0])
	}
	t.Logf("releases %d, kills %d, injected faults %d (+%d 429s seen), lost %d, channel duplicates %d, webhook duplicates %d",
		releases, kills, faults, discord.Count429(), lost, chDup, hookDup)
	if t.Failed() {
		t.Logf("daemon logs (tail):\n%s", tail(logs.String(), 60))
	}
}

func titles(ms []fakediscord.Message) map[string]int { return countTitles(ms) }

func countTitles(ms []fakediscord.Message) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		for _, e := range m.Embeds {
			if strings.HasPrefix(e.Author.Name, "Updated") {
				continue
			}
			out[strings.ReplaceAll(e.Title, `\`, "")]++
		}
	}
	return out
}

func waitUntil(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
