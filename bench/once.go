package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Proc is what one run of a program cost, as the kernel counted it.
type Proc struct {
	CPU    time.Duration // user + system, the process and its threads
	MaxRSS int64         // peak resident set size, bytes
	Wall   time.Duration
}

// runProc runs cmd to its end and measures it: CPU time and wall time
// from wait4; the peak RSS from a second run under /usr/bin/time (its own
// child is forked, so the high-water mark is the program's: ours, through
// vfork and exec, would be inherited by a child we start).
func runProc(cmd *exec.Cmd) (Proc, error) {
	p, err := runOnce(cmd)
	if err != nil {
		return p, err
	}
	p.MaxRSS, err = peakRSS(cmd)
	return p, err
}

// peakRSS runs cmd's program again under /usr/bin/time and returns its peak
// resident set size.
func peakRSS(cmd *exec.Cmd) (int64, error) {
	timed := exec.Command("/usr/bin/time", append([]string{"-f", "natowatch-bench-maxrss %M"}, cmd.Args...)...)
	timed.Env, timed.Dir = cmd.Env, cmd.Dir
	var out bytes.Buffer
	timed.Stdout, timed.Stderr = &out, &out
	if err := timed.Run(); err != nil {
		return 0, fmt.Errorf("/usr/bin/time %s: %v\n%s", strings.Join(cmd.Args, " "), err, lastLines(out.String(), 20))
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "natowatch-bench-maxrss "); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("/usr/bin/time %s: no peak RSS in its output", strings.Join(cmd.Args, " "))
}

// runOnce runs cmd to its end: CPU (user + system, wait4's) and wall time.
func runOnce(cmd *exec.Cmd) (Proc, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	p := Proc{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	if err != nil {
		return p, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, lastLines(out.String(), 20))
	}
	return p, nil
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// WatchedSite is a fake site with recent releases that both natowatch and
// urlwatch watch: its feed and the pages it links to.
type WatchedSite struct {
	Site    int
	FeedURL string
	Pages   []string // the feed's links: each recent release's page
}

// PublishRecent puts recent releases (the last few days) on site i.
func PublishRecent(sites *FakeSites, i, recent int) (*WatchedSite, error) {
	items, err := Items(recent)
	if err != nil {
		return nil, err
	}
	ws := &WatchedSite{Site: i, FeedURL: sites.URLs[i] + RSSPath}
	now := time.Now().UTC()
	for k, it := range items {
		it.Date = now.Add(-time.Duration(k+1) * 3 * time.Hour)
		p, err := sites.Publish(i, it)
		if err != nil {
			return nil, err
		}
		ws.Pages = append(ws.Pages, sites.URLs[i]+p.Legacy)
	}
	return ws, nil
}

// OnceVsURLWatch runs `natowatch once` and urlwatch on the same feed and
// pages, both warm (a first run stored what is there and the validators),
// runs times each, alternating, and returns every run of each.
func OnceVsURLWatch(natowatch, dir string, sites *FakeSites, ws *WatchedSite, runs int) (nw, uw []Proc, nwGETs, uwGETs, nw304, uw304 float64, err error) {
	// natowatch: the feed as an rss source; the first run fetches every
	// listed page (post_latest), so later runs re-check them all.
	conf := fmt.Sprintf("state: %s\nsources:\n  - name: bench\n    type: rss\n    url: %s\nfirst_run:\n  post_latest: %d\nhttp:\n  per_host_rate: 1000\nlog:\n  level: warn\n",
		filepath.Join(dir, "once.db"), ws.FeedURL, len(ws.Pages))
	cfg, err := writeConfig(dir, "once", conf)
	if err != nil {
		return
	}
	// urlwatch: one job per URL, in its own home.
	home := filepath.Join(dir, "urlwatch-home")
	if err = os.MkdirAll(home, 0o755); err != nil {
		return
	}
	var urls strings.Builder
	for k, u := range append([]string{ws.FeedURL}, ws.Pages...) {
		if k > 0 {
			urls.WriteString("---\n")
		}
		fmt.Fprintf(&urls, "url: %s\n", u)
	}
	if err = os.WriteFile(filepath.Join(home, "urls.yaml"), []byte(urls.String()), 0o644); err != nil {
		return
	}
	natowatchCmd := func() *exec.Cmd { return exec.Command(natowatch, "--config", cfg, "once") }
	urlwatchCmd := func() *exec.Cmd {
		c := exec.Command("urlwatch", "--urls", filepath.Join(home, "urls.yaml"), "--config", filepath.Join(home, "urlwatch.yaml"),
			"--cache", filepath.Join(home, "cache.db"))
		c.Env = append(os.Environ(), "HOME="+home)
		c.Dir = home
		return c
	}
	for _, c := range []*exec.Cmd{natowatchCmd(), natowatchCmd(), urlwatchCmd(), urlwatchCmd()} { // warm both
		if _, err = runOnce(c); err != nil {
			return
		}
	}
	count := func(f func() *exec.Cmd) (Proc, float64, float64, error) {
		st0, err := sites.Stats(ws.Site)
		if err != nil {
			return Proc{}, 0, 0, err
		}
		p, err := runOnce(f())
		if err != nil {
			return p, 0, 0, err
		}
		st1, err := sites.Stats(ws.Site)
		if err != nil {
			return p, 0, 0, err
		}
		p.MaxRSS, err = peakRSS(f())
		return p, float64(st1.Requests - st0.Requests), float64(st1.NotModified - st0.NotModified), err
	}
	for range runs {
		var p Proc
		var g, nm float64
		if p, g, nm, err = count(natowatchCmd); err != nil {
			return
		}
		nw, nwGETs, nw304 = append(nw, p), g, nm
		if p, g, nm, err = count(urlwatchCmd); err != nil {
			return
		}
		uw, uwGETs, uw304 = append(uw, p), g, nm
	}
	return
}

// buildNatowatch builds natowatch into dir as the Dockerfile builds the
// release binary (static, no cgo, stripped), and as `go build` does.
func buildNatowatch(dir string) (release, plain string, err error) {
	root, err := moduleRoot()
	if err != nil {
		return "", "", err
	}
	release, plain = filepath.Join(dir, "natowatch-release"), filepath.Join(dir, "natowatch-plain")
	for _, b := range []struct {
		out  string
		args []string
		env  []string
	}{
		{release, []string{"build", "-trimpath", "-ldflags", "-s -w", "-o", release, "./cmd/natowatch"}, []string{"CGO_ENABLED=0"}},
		{plain, []string{"build", "-o", plain, "./cmd/natowatch"}, nil},
	} {
		cmd := exec.Command("go", b.args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), b.env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go %s: %v\n%s", strings.Join(b.args, " "), err, out)
		}
	}
	return release, plain, nil
}

// FirstRun measures the README's first-run commands on a warm state: a
// nato source (the default configuration's kind) on the fake site, checked
// once for real (which records what the site lists), then `natowatch once`
// and `natowatch once --dry-run` again with nothing changed.
func FirstRun(natowatch, dir string, sites *FakeSites, site, runs int) (once, dry []Proc, err error) {
	// The default configuration with the site's address: one nato source,
	// default HTTP settings (2 requests per second per host).
	conf := fmt.Sprintf("state: %s\nsources:\n  - name: nato\n    type: nato\n    url: %s\n    schedule: \"*/5 * * * *\"\nlog:\n  level: warn\n",
		filepath.Join(dir, "firstrun.db"), sites.URLs[site])
	cfg, err := writeConfig(dir, "firstrun", conf)
	if err != nil {
		return
	}
	if _, err = runOnce(exec.Command(natowatch, "--config", cfg, "once")); err != nil {
		return
	}
	for range runs {
		var p Proc
		if p, err = runProc(exec.Command(natowatch, "--config", cfg, "once")); err != nil {
			return
		}
		once = append(once, p)
		if p, err = runProc(exec.Command(natowatch, "--config", cfg, "once", "--dry-run")); err != nil {
			return
		}
		dry = append(dry, p)
	}
	return
}
