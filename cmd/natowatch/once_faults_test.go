package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/internal/fakenato"
	"github.com/natowatch/natowatch/internal/testbin"
)

// flakyDiscord stands in front of the fake Discord and fails a share of
// the requests that post or edit messages with a 500, before they reach
// it (so a failed request posted nothing).
type flakyDiscord struct {
	mu    sync.Mutex
	rng   *rand.Rand
	share float64 // of the requests that fail; 0 for none
	proxy *httputil.ReverseProxy
}

func (f *flakyDiscord) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	fail := (r.Method == http.MethodPost || r.Method == http.MethodPatch) && f.rng.Float64() < f.share
	f.mu.Unlock()
	if fail {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"message": "500: Internal Server Error", "code": 0}`))
		return
	}
	f.proxy.ServeHTTP(w, r)
}

func (f *flakyDiscord) setShare(s float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.share = s
}

// TestOnceFaults runs `natowatch once` back to back, as cron would with
// no pause, while about 20% of Discord's requests fail: 20 releases to
// 3 targets (two channels, a webhook), 30 of the runs killed with SIGKILL
// at random moments, retry_base 1s. Once faults stop, everything must be
// delivered within 2 minutes; while they go on, within 4. Nothing may be
// lost, and nothing posted twice in a channel.
func TestOnceFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs natowatch once some hundred times")
	}
	bin := testbin.Build(t)
	seed := uint64(envInt("NATOWATCH_FAULT_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("seed=%d", seed)
	for _, c := range []struct {
		name        string
		faultsAfter bool
		within      time.Duration
	}{
		{"faults stop", false, 2 * time.Minute},
		{"faults go on", true, 4 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			onceFaults(t, bin, seed, c.faultsAfter, c.within)
		})
	}
}

func onceFaults(t *testing.T, bin string, seed uint64, faultsAfter bool, within time.Duration) {
	releases := envInt("NATOWATCH_FAULT_RELEASES", 20) // more in scripts/soak.sh
	kills := envInt("NATOWATCH_FAULT_KILLS", 30)
	within *= time.Duration(max(1, releases/20))
	const share = 0.2
	rng := rand.New(rand.NewPCG(seed, 11))
	dir := t.TempDir()
	site := fakenato.New(t)
	discord := fakediscord.New(t) // its default route limit: 5 requests per 2 s
	u, _ := url.Parse(discord.URL)
	flaky := &flakyDiscord{rng: rand.New(rand.NewPCG(seed, 13)), share: share, proxy: httputil.NewSingleHostReverseProxy(u)}
	front := httptest.NewServer(flaky)
	defer front.Close()
	chans := []string{"223344556677889901", "223344556677889902"}
	hookID := "900000000000000001"
	hook := strings.Replace(discord.WebhookURL(hookID, "tok"), discord.URL, front.URL, 1)
	cfg := filepath.Join(dir, "natowatch.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`state: %s
discord:
  token: %s
  api: %s/api/v10
http:
  backoff: 10ms
  per_host_rate: 1000
sources:
  - name: nato
    type: nato
    url: %s
targets:
  - channel: "%s"
  - channel: "%s"
  - webhook: %s
delivery:
  retry_base: 1s
log:
  level: warn
`, filepath.Join(dir, "state.db"), fakediscord.DefaultToken, front.URL, site.URL(), chans[0], chans[1], hook)), 0o600)

	var logs bytes.Buffer
	runs, exits := 0, map[int]int{}
	killed := 0
	once := func(killAfter time.Duration) {
		runs++
		cmd := exec.Command(bin, "--config", cfg, "once")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if killAfter > 0 {
			timer := time.AfterFunc(killAfter, func() { cmd.Process.Signal(syscall.SIGKILL) })
			defer timer.Stop()
		}
		err := cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		}
		exits[code]++
		logs.Write(errb.Bytes())
	}
	title := func(i int) string { return fmt.Sprintf("Release %03d: NATO Allies agree on measure number %d", i, i) }
	targets := []string{chans[0], chans[1], "webhook:" + hookID}
	delivered := func() int {
		n := 0
		for _, tg := range targets {
			got := countTitles(discord.MessagesIn(tg))
			for i := range releases {
				if got[title(i)] > 0 {
					n++
				}
			}
		}
		return n
	}

	site.Publish(fakenato.Item{Slug: "before", Title: "A release from before natowatch started watching", Date: time.Now().Add(-time.Hour),
		Paragraphs: []string{"NATO Allies met in Brussels to discuss the readiness of their forces and agreed to continue their work."}})
	flaky.setShare(0)
	once(0) // the first check records what is there
	flaky.setShare(share)
	published := 0
	first := time.Now()
	for k := 0; killed < kills; k++ {
		if k > 10*kills {
			t.Fatalf("only %d of %d runs killed", killed, kills)
		}
		// Publish one release a run, then kill the run at a random moment
		// (during its check, or its deliveries), with a run let finish
		// in between.
		if published < releases {
			site.Publish(fakenato.Item{Slug: fmt.Sprintf("release-%03d", published), Title: title(published), Date: time.Now(),
				Paragraphs: []string{fmt.Sprintf("NATO Allies agreed on measure number %d at a meeting in Brussels, to strengthen deterrence and defence across the Alliance.", published)}})
			published++
		}
		once(time.Duration(10+rng.IntN(200)) * time.Millisecond)
		if k%2 == 1 {
			once(0)
		}
	}
	for published < releases {
		site.Publish(fakenato.Item{Slug: fmt.Sprintf("release-%03d", published), Title: title(published), Date: time.Now(),
			Paragraphs: []string{fmt.Sprintf("NATO Allies agreed on measure number %d at a meeting in Brussels, to strengthen deterrence and defence across the Alliance.", published)}})
		published++
	}
	if !faultsAfter {
		flaky.setShare(0)
	}
	start := time.Now()
	before := delivered()
	for delivered() < releases*len(targets) && time.Since(start) < within {
		once(0)
	}
	took := time.Since(start)
	once(0) // anything still to come would be a duplicate
	flaky.setShare(0)

	lost, chDup, hookDup := 0, 0, 0
	for _, tg := range targets {
		got := countTitles(discord.MessagesIn(tg))
		for i := range releases {
			switch n := got[title(i)]; {
			case n == 0:
				lost++
				t.Errorf("not delivered: %q in %s", title(i), tg)
			case n > 1 && strings.HasPrefix(tg, "webhook:"):
				hookDup += n - 1 // a reply lost to a SIGKILL: counted, not prevented (no nonce)
			case n > 1:
				chDup += n - 1
				t.Errorf("%q posted %d times in channel %s", title(i), n, tg)
			}
		}
	}
	t.Logf("faults after the kills: %v; %d of %d alerts delivered when the %d kills ended (%s after the first release); "+
		"all delivered %s later (limit %s); %d runs (exit codes %v); lost %d, channel duplicates %d, webhook duplicates %d",
		faultsAfter, before, releases*len(targets), killed, start.Sub(first).Round(100*time.Millisecond),
		took.Round(100*time.Millisecond), within, runs, exits, lost, chDup, hookDup)
	if took >= within {
		t.Errorf("not everything delivered within %s of back-to-back runs", within)
	}
	if r := discord.Rejections(); len(r) > 0 {
		t.Errorf("Discord rejected %d requests: %+v", len(r), r[0])
	}
	if t.Failed() {
		t.Logf("logs (tail):\n%s", tail(logs.String(), 40))
	}
}
