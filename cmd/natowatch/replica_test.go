package main

import (
	"bytes"
	"fmt"
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
	"github.com/natowatch/natowatch/internal/pgtest"
	"github.com/natowatch/natowatch/internal/testbin"
)

// lockedBuffer collects one process's logs while the test reads them.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// TestReplicas runs three daemons on one PostgreSQL database: one leads
// (checks the sources), all deliver. The leader is killed twice while
// releases are published; every release reaches every target exactly once,
// and another replica takes over within the lease.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three daemons")
	}
	dsn := pgtest.DSN(t)
	bin := testbin.Build(t)
	dir := t.TempDir()
	site := fakenato.New(t)
	discord := fakediscord.New(t)
	chans := []string{"223344556677889901", "223344556677889902"}
	cfg := filepath.Join(dir, "natowatch.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`state: %s
discord:
  token: %s
  api: %s
http:
  per_host_rate: 1000
  backoff: 10ms
sources:
  - name: nato
    type: nato
    url: %s
    schedule: "@every 1s"
targets:
  - channel: "%s"
  - channel: "%s"
delivery:
  interval: 200ms
  retry_base: 200ms
`, dsn, fakediscord.DefaultToken, discord.API(), site.URL(), chans[0], chans[1])), 0o600)
	site.Publish(fakenato.Item{Slug: "before", Title: "A release from before the replicas started", Date: time.Now().Add(-time.Hour),
		Paragraphs: []string{"NATO Allies met in Brussels to discuss the readiness of their forces and agreed to continue their work."}})

	type replica struct {
		cmd  *exec.Cmd
		logs *lockedBuffer
	}
	start := func() *replica {
		r := &replica{logs: &lockedBuffer{}}
		r.cmd = exec.Command(bin, "--config", cfg, "run")
		r.cmd.Stderr = r.logs
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return r
	}
	replicas := []*replica{start(), start(), start()}
	defer func() {
		for _, r := range replicas {
			r.cmd.Process.Signal(syscall.SIGTERM)
			r.cmd.Wait()
		}
	}()
	const leads = "this replica now schedules the checks"
	leader := func() int {
		for i, r := range replicas {
			if r.logs.count(leads) > 0 && r.cmd.ProcessState == nil {
				return i
			}
		}
		return -1
	}
	waitUntil(t, 20*time.Second, func() bool { return leader() >= 0 })
	waitUntil(t, 20*time.Second, func() bool { total, _ := site.Hits(fakenato.SearchPath("news")); return total >= 2 })

	const releases = 30
	var handovers []time.Duration
	for i := 0; i < releases; i++ {
		site.Publish(fakenato.Item{Slug: fmt.Sprintf("r-%02d", i), Title: fmt.Sprintf("Replica release %02d on NATO's measure number %d", i, i),
			Date: time.Now(), Paragraphs: []string{fmt.Sprintf("NATO Allies agreed on measure number %d at a meeting in Brussels, to strengthen deterrence and defence.", i)}})
		time.Sleep(400 * time.Millisecond)
		if i == 10 || i == 20 {
			l := leader()
			killed := time.Now()
			replicas[l].cmd.Process.Signal(syscall.SIGKILL)
			replicas[l].cmd.Wait()
			before := map[int]int{}
			for j, r := range replicas {
				before[j] = r.logs.count(leads)
			}
			waitUntil(t, 30*time.Second, func() bool {
				for j, r := range replicas {
					if j != l && r.logs.count(leads) > before[j] {
						return true
					}
				}
				return false
			})
			handovers = append(handovers, time.Since(killed))
			replicas[l] = start() // the dead one comes back as a follower
		}
	}
	waitUntil(t, 60*time.Second, func() bool {
		return len(countTitles(discord.MessagesIn(chans[0]))) >= releases && len(countTitles(discord.MessagesIn(chans[1]))) >= releases
	})
	time.Sleep(2 * time.Second)
	for _, ch := range chans {
		counts := countTitles(discord.MessagesIn(ch))
		for i := 0; i < releases; i++ {
			title := fmt.Sprintf("Replica release %02d on NATO's measure number %d", i, i)
			if counts[title] != 1 {
				t.Errorf("channel %s got %q %d times", ch, title, counts[title])
			}
		}
	}
	if r := discord.Rejections(); len(r) > 0 {
		t.Errorf("rejected: %+v", r[0])
	}
	t.Logf("3 replicas, %d releases, 2 leader kills; handover times %v (lease %s)", releases, handovers, "10s")
	for _, h := range handovers {
		if h > 15*time.Second {
			t.Errorf("handover took %s, over 15s", h)
		}
	}
}

// TestAutoShard runs two replicas with discord.auto_shard: Discord (the
// fake) recommends one shard, so exactly one replica connects to the
// gateway; when it dies, the other takes the shard over.
func TestAutoShard(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two daemons")
	}
	dsn := pgtest.DSN(t)
	bin := testbin.Build(t)
	dir := t.TempDir()
	site := fakenato.New(t)
	discord := fakediscord.New(t)
	site.Publish(fakenato.Item{Slug: "one", Title: "A release so that the site lists something", Date: time.Now(),
		Paragraphs: []string{"NATO Allies met in Brussels to discuss the readiness of their forces and agreed to continue their work."}})
	cfg := filepath.Join(dir, "natowatch.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`state: %s
discord:
  token: %s
  api: %s
  auto_shard: true
sources:
  - name: nato
    type: nato
    url: %s
    schedule: "@every 1s"
`, dsn, fakediscord.DefaultToken, discord.API(), site.URL())), 0o600)
	var cmds []*exec.Cmd
	for i := 0; i < 2; i++ {
		c := exec.Command(bin, "--config", cfg, "run")
		c.Stderr = &lockedBuffer{}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	defer func() {
		for _, c := range cmds {
			c.Process.Signal(syscall.SIGTERM)
			c.Wait()
		}
	}()
	connected := func() int {
		n := 0
		for _, s := range discord.GatewaySessions() {
			if s.Connected && s.Identified {
				n++
			}
		}
		return n
	}
	waitUntil(t, 20*time.Second, func() bool { return connected() == 1 })
	time.Sleep(4 * time.Second) // a second renewal round: still one
	if n := connected(); n != 1 {
		t.Fatalf("%d gateway sessions for one recommended shard", n)
	}
	// Kill the one with the shard; the other takes it.
	holder := -1
	for i, c := range cmds {
		if c.Stderr.(*lockedBuffer).count("this replica runs a gateway shard") > 0 {
			holder = i
		}
	}
	if holder < 0 {
		t.Fatal("no replica says it runs the shard")
	}
	cmds[holder].Process.Signal(syscall.SIGKILL)
	cmds[holder].Wait()
	other := cmds[1-holder].Stderr.(*lockedBuffer)
	waitUntil(t, 30*time.Second, func() bool { return other.count("this replica runs a gateway shard") > 0 })
	waitUntil(t, 20*time.Second, func() bool { return connected() >= 1 })
}
