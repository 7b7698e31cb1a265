package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/natowatch/natowatch/internal/fakenato"
)

// RSSPath is where a fake site serves its RSS feed (NATO's old feed).
const RSSPath = "/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml"

// FakeSites are fake NATO sites served by a child process, so that what
// the sites spend (rendering, hashing, HTTP) is not counted in the measured
// process. The child is this same program run as "natowatch-bench
// fakesite".
type FakeSites struct {
	URLs    []string // each site's base URL
	control string
	cmd     *exec.Cmd
	stdin   io.Closer
}

// StartFakeSites starts n fake sites in a child process: self is the path
// of a program that runs ServeFakeSites when given the arguments "fakesite
// N" (the bench command; os.Executable()).
func StartFakeSites(self string, n int) (*FakeSites, error) {
	cmd := exec.Command(self, "fakesite", strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var hello struct {
		URLs    []string
		Control string
	}
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &hello)
	}
	if err != nil {
		in.Close()
		cmd.Wait()
		return nil, fmt.Errorf("bench: fake sites did not start: %v", err)
	}
	return &FakeSites{URLs: hello.URLs, control: hello.Control, cmd: cmd, stdin: in}, nil
}

// SitesSpec is how another process reaches running fake sites.
type SitesSpec struct {
	URLs    []string
	Control string
}

// Spec returns what AttachFakeSites needs.
func (f *FakeSites) Spec() SitesSpec { return SitesSpec{URLs: f.URLs, Control: f.control} }

// AttachFakeSites reaches fake sites another process started; Close does
// nothing for it.
func AttachFakeSites(s SitesSpec) *FakeSites { return &FakeSites{URLs: s.URLs, control: s.Control} }

// Close stops the child and waits for it.
func (f *FakeSites) Close() {
	if f.cmd == nil {
		return
	}
	f.stdin.Close()
	done := make(chan struct{})
	go func() { f.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		f.cmd.Process.Kill()
		<-done
	}
}

// Published is where a published item is.
type Published struct {
	Path   string // new-site path
	Legacy string // /cps/ path, the one the RSS feed links to
}

// Publish puts an item on site i.
func (f *FakeSites) Publish(i int, it fakenato.Item) (Published, error) {
	var p Published
	b, err := json.Marshal(it)
	if err != nil {
		return p, err
	}
	resp, err := http.Post(fmt.Sprintf("%s/publish?site=%d", f.control, i), "application/json", strings.NewReader(string(b)))
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return p, fmt.Errorf("bench: publish: %s", body)
	}
	return p, json.Unmarshal(body, &p)
}

// SiteStats counts what a site answered.
type SiteStats struct {
	Requests    int // every request
	NotModified int // answered 304, over the feed and the item pages' legacy paths
}

// Stats returns what site i answered so far.
func (f *FakeSites) Stats(i int) (SiteStats, error) {
	var st SiteStats
	resp, err := http.Get(fmt.Sprintf("%s/stats?site=%d", f.control, i))
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// ServeFakeSites is the child's side: it starts n fake sites and a control
// listener, writes their URLs as one JSON line to out, and serves until in
// is closed.
func ServeFakeSites(n int, in io.Reader, out io.Writer) error {
	sites := make([]*fakenato.Site, n)
	urls := make([]string, n)
	for i := range sites {
		s, err := fakenato.Start()
		if err != nil {
			return err
		}
		defer s.Close()
		sites[i], urls[i] = s, s.URL()
	}
	var mu sync.Mutex
	legacy := make([][]string, n) // the legacy paths the feed links to
	site := func(r *http.Request) (*fakenato.Site, int, error) {
		i, err := strconv.Atoi(r.URL.Query().Get("site"))
		if err != nil || i < 0 || i >= n {
			return nil, 0, errors.New("bad site")
		}
		return sites[i], i, nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/publish", func(w http.ResponseWriter, r *http.Request) {
		s, i, err := site(r)
		var it fakenato.Item
		if err == nil {
			err = json.NewDecoder(r.Body).Decode(&it)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p := Published{Path: s.Publish(it)}
		p.Legacy = s.LegacyPath(p.Path[strings.LastIndexByte(p.Path, '/')+1:])
		mu.Lock()
		legacy[i] = append(legacy[i], p.Legacy)
		mu.Unlock()
		json.NewEncoder(w).Encode(p)
	})
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		s, i, err := site(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		st := SiteStats{Requests: s.Requests()}
		mu.Lock()
		paths := append([]string{RSSPath}, legacy[i]...)
		mu.Unlock()
		for _, p := range paths {
			_, nm := s.Hits(p)
			st.NotModified += nm
		}
		json.NewEncoder(w).Encode(st)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(l)
	defer srv.Close()
	if err := json.NewEncoder(out).Encode(map[string]any{"URLs": urls, "Control": "http://" + l.Addr().String()}); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, in) // until the parent closes stdin (or dies)
	return err
}
