// Package pgtest gives tests a fresh, empty PostgreSQL database each: on
// the server that NATOWATCH_PG_DSN names, or else on a throw-away cluster
// that it starts itself (initdb into a temporary folder, a server on a free
// port of 127.0.0.1) when the PostgreSQL server binaries are installed.
// Without either, the tests that ask for a database skip, saying how to run
// them; with CI set in the environment they fail instead.
//
// A package whose tests use DSN runs them through Main, which stops the
// cluster it may have started:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvDSN names the variable that points the tests at a running server: a
// role on it that may CREATE DATABASE, e.g.
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvDSN = "NATOWATCH_PG_DSN"

// Unavailable is the message of a test skipped for want of PostgreSQL.
const Unavailable = "PostgreSQL not available: set " + EnvDSN + "=postgres://user@host:port/db?sslmode=disable " +
	"(a role that may CREATE DATABASE), or install the PostgreSQL 15 server binaries (initdb, pg_ctl, postgres; " +
	"Debian: apt-get install postgresql) so that the tests start their own cluster; .ci/run does the latter"

var (
	mu      sync.Mutex
	inMain  bool
	ready   bool
	baseDSN string // the server's maintenance database
	admin   *sql.DB
	own     *cluster // the cluster this process started, if any
	failed  error    // why the server could not be had; sticks

	runID = randomHex(4)
	seq   atomic.Int64
)

// Main runs the tests, then stops the cluster that DSN started, if any. Use
// it from TestMain.
func Main(m *testing.M) int {
	mu.Lock()
	inMain = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if admin != nil {
		admin.Close()
	}
	if own != nil {
		if err := own.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// DSN returns the DSN of a new, empty database, dropped when the test ends.
// It skips the test when no PostgreSQL can be had (fails it under CI).
func DSN(t testing.TB) string {
	t.Helper()
	base, db, err := server()
	if errors.Is(err, errUnavailable) {
		if os.Getenv("CI") != "" {
			t.Fatal(Unavailable + " (and CI is set: the PostgreSQL tests must run)")
		}
		t.Skip(Unavailable)
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := fmt.Sprintf("natowatch_test_%s_%d", runID, seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	dsn, err := WithDatabase(base, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

var errUnavailable = errors.New("unavailable")

// server returns the server's DSN and a connection to it, starting a
// cluster the first time if need be.
func server() (string, *sql.DB, error) {
	mu.Lock()
	defer mu.Unlock()
	if ready || failed != nil {
		return baseDSN, admin, failed
	}
	dsn := os.Getenv(EnvDSN)
	if dsn != "" {
		if _, err := WithDatabase(dsn, "x"); err != nil {
			failed = err
			return "", nil, failed
		}
	} else {
		bin := FindBin()
		if bin == "" {
			failed = errUnavailable
			return "", nil, failed
		}
		if !inMain {
			failed = errors.New("to start its own PostgreSQL, pgtest needs the package's TestMain to call pgtest.Main (which stops it); or set " + EnvDSN)
			return "", nil, failed
		}
		c, err := startCluster(bin)
		if err != nil {
			failed = fmt.Errorf("start a PostgreSQL cluster with %s: %w", bin, err)
			return "", nil, failed
		}
		own, dsn = c, c.dsn
	}
	db, err := sql.Open("pgx", dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		failed = fmt.Errorf("%s: %w", EnvDSN, err)
		return "", nil, failed
	}
	db.SetMaxOpenConns(4)
	baseDSN, admin, ready = dsn, db, true
	return baseDSN, admin, nil
}

// WithDatabase returns the postgres:// URL dsn naming another database on
// the same server.
func WithDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL", EnvDSN)
	}
	u.Path, u.RawPath = "/"+name, ""
	if q := u.Query(); q.Has("dbname") {
		q.Set("dbname", name)
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// FindBin returns the folder of the PostgreSQL server binaries (initdb,
// pg_ctl, postgres): that of initdb in PATH, or the newest
// /usr/lib/postgresql/*/bin; "" if there is none.
func FindBin() string {
	ok := func(dir string) bool {
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && ok(filepath.Dir(real)) {
			return filepath.Dir(real)
		}
		if ok(filepath.Dir(p)) {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(d string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
		return v
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if ok(d) {
			return d
		}
	}
	return ""
}

// cluster is a PostgreSQL server this process started.
type cluster struct {
	dir  string // data in dir/data, the socket in dir, the log in dir/log
	cmd  *exec.Cmd
	done chan struct{} // closed when the server exits
	dsn  string
}

// startCluster runs initdb and a postgres server as the postgres OS user
// when this process is root (both refuse to run as root), trusting local
// connections, on a free port of 127.0.0.1. The server is this process's
// child and gets SIGQUIT should the process die without stopping it.
func startCluster(bin string) (*cluster, error) {
	removeStale()
	dir, err := os.MkdirTemp("", "natowatch-pgtest-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &cluster{dir: dir}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root, the server must run as the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	command := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return cmd
	}
	data := filepath.Join(dir, "data")
	out, err := command("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8").CombinedOutput()
	if err != nil { // a system without the C.UTF-8 locale
		os.RemoveAll(data)
		out, err = command("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale").CombinedOutput()
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	var lastErr error
	for try := 0; try < 5; try++ {
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		logf, err := os.Create(filepath.Join(dir, "log"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		cmd := command("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", dir,
			"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
		if err := cmd.Start(); err != nil {
			logf.Close()
			os.RemoveAll(dir)
			return nil, err
		}
		logf.Close()
		c.cmd, c.done = cmd, make(chan struct{})
		go func() { cmd.Wait(); close(c.done) }()
		c.dsn = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
		if lastErr = c.wait(30 * time.Second); lastErr == nil {
			return c, nil
		}
		c.kill()
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		lastErr = fmt.Errorf("%w; server log:\n%s", lastErr, log)
	}
	os.RemoveAll(dir)
	return nil, lastErr
}

// removeStale removes the folders of clusters whose test process died
// without stopping them (their server died with it).
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "natowatch-pgtest-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil || pid <= 0 || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // alive, or not ours to judge
		}
		os.RemoveAll(d)
	}
}

// wait waits until the server accepts connections.
func (c *cluster) wait(limit time.Duration) error {
	db, err := sql.Open("pgx", c.dsn+"&connect_timeout=2")
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-c.done:
			return errors.New("the server exited")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not start in %v: %w", limit, err)
		}
	}
}

// stop shuts the server down (fast: connections are ended) and removes its
// folder.
func (c *cluster) stop() error {
	defer os.RemoveAll(c.dir)
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
		return nil
	case <-time.After(30 * time.Second):
		c.kill()
		return errors.New("the server did not stop in 30s: killed")
	}
}

func (c *cluster) kill() {
	c.cmd.Process.Kill()
	<-c.done
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
