package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/pgtest"
	"github.com/natowatch/natowatch/release"
)

func sqlDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// withParam adds a run-time parameter to a postgres:// URL.
func withParam(t *testing.T, dsn, key, value string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func mustExec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// A database with someone else's tables is refused and left as it was.
func TestPostgresForeignDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	db := sqlDB(t, dsn)
	mustExec(t, db, `CREATE TABLE accounts (id int PRIMARY KEY, owner text); INSERT INTO accounts VALUES (1, 'someone')`)
	if s, err := OpenPostgres(ctx, dsn); !errors.Is(err, ErrNotNatowatch) || s != nil {
		t.Fatalf("foreign database: %v, %v", s, err)
	}
	var tables int
	var owner string
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'), (SELECT owner FROM accounts)`).Scan(&tables, &owner); err != nil {
		t.Fatal(err)
	}
	if tables != 1 || owner != "someone" {
		t.Fatalf("the foreign database was changed: %d tables, owner %q", tables, owner)
	}

	// A natowatch_schema table natowatch did not make is someone else's too.
	dsn2 := pgtest.DSN(t)
	mustExec(t, sqlDB(t, dsn2), `CREATE TABLE natowatch_schema (version int)`)
	if _, err := OpenPostgres(ctx, dsn2); !errors.Is(err, ErrNotNatowatch) {
		t.Fatalf("unmarked natowatch_schema: %v", err)
	}

	// Another schema of the same database can be natowatch's.
	mustExec(t, db, `CREATE SCHEMA natowatch`)
	s, err := OpenPostgres(ctx, withParam(t, dsn, "search_path", "natowatch"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: "https://x/1", Title: "Summit"}, Fingerprint: "f", Version: 1}, t0); err != nil {
		t.Fatal(err)
	}
	if hits, err := s.Search(ctx, "summit", 5); err != nil || len(hits) != 1 {
		t.Fatalf("search in schema natowatch: %+v %v", hits, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM natowatch.releases`).Scan(&tables); err != nil || tables != 1 {
		t.Fatalf("natowatch.releases: %d rows, %v", tables, err)
	}
}

// Opening again keeps the data and applies nothing twice; a database from
// a newer natowatch is refused.
func TestPostgresReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: "https://x/1"}, Keys: []string{"url:1"}, Fingerprint: "f", Version: 1}, t0)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Several at once: the advisory lock lets one migrate (here: check).
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := OpenPostgres(ctx, dsn)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			if st, err := s.Lookup(ctx, []string{"url:1"}); err != nil || st == nil || st.ID != id {
				t.Errorf("after reopening: %+v %v", st, err)
			}
		}()
	}
	wg.Wait()
	db := sqlDB(t, dsn)
	var versions, max int
	if err := db.QueryRow(`SELECT count(*), max(version) FROM natowatch_schema`).Scan(&versions, &max); err != nil {
		t.Fatal(err)
	}
	if versions != len(pgMigrations) || max != len(pgMigrations) {
		t.Fatalf("natowatch_schema has %d rows up to %d, want %d", versions, max, len(pgMigrations))
	}
	mustExec(t, db, fmt.Sprintf(`INSERT INTO natowatch_schema VALUES (%d, 0)`, len(pgMigrations)+1))
	if _, err := OpenPostgres(ctx, dsn); err == nil || errors.Is(err, ErrNotNatowatch) || !strings.Contains(err.Error(), "newer natowatch") {
		t.Fatalf("a newer schema: %v", err)
	}
}

// Two databases created at once, as two natowatch processes would on a
// new database, migrate once.
func TestPostgresConcurrentFirstOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := OpenPostgres(ctx, dsn)
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		}()
	}
	wg.Wait()
}

// Without the unaccent extension, accents are folded by translate().
func TestPostgresSearchWithoutUnaccent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s, err := openPostgres(ctx, dsn, pgOptions{noUnaccent: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: "https://x/1", Title: "Ministers meet",
		Body: []string{"Ministers discussed the Geoană plan in Kraków and Tromsø."}}, Fingerprint: "f", Version: 1}, t0); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"geoana", "GEOANĂ", "krakow", "tromso", "Tromsø"} {
		hits, err := s.Search(ctx, q, 5)
		if err != nil || len(hits) != 1 || !strings.Contains(hits[0].Snippet, "**") {
			t.Errorf("search %q: %+v %v", q, hits, err)
		}
	}
	var unaccent bool
	if err := sqlDB(t, dsn).QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent')`).Scan(&unaccent); err != nil || unaccent {
		t.Fatalf("unaccent installed anyway: %v %v", unaccent, err)
	}
}

// With unaccent, snippets keep the text's accents.
func TestPostgresSnippetKeepsAccents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	var available bool
	if err := sqlDB(t, dsn).QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent')`).Scan(&available); err != nil {
		t.Fatal(err)
	}
	if !available {
		t.Skip("this server has no unaccent extension (postgresql-contrib)")
	}
	s, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: "https://x/1", Title: "Ministers meet",
		Body: []string{"Ministers discussed the Geoană plan."}}, Fingerprint: "f", Version: 1}, t0); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, "geoana", 5)
	if err != nil || len(hits) != 1 || !strings.Contains(hits[0].Snippet, "**Geoană**") {
		t.Fatalf("search: %+v %v", hits, err)
	}
}

// ts_headline's cost grows fast with the query: a long query must not make
// a search take seconds.
func TestPostgresLongQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openPG(t)
	var words []string
	for i := 0; i < 1000; i++ {
		words = append(words, fmt.Sprintf("w%d", i))
	}
	text := strings.Join(words, " ")
	if _, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: "https://x/1", Title: "Words",
		Body: []string{"a|b", text, text}}, Fingerprint: "f", Version: 1}, t0); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`"` + text + `"`, text, strings.Repeat("a ", 1000)} {
		start := time.Now()
		hits, err := s.Search(ctx, q, 5)
		if err != nil || len(hits) != 1 || !strings.Contains(hits[0].Snippet, "**") {
			t.Fatalf("search %.20q: %+v %v", q, hits, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("search %.20q took %v", q, d)
		}
	}
}

func TestOpenPostgresSpec(t *testing.T) {
	t.Parallel()
	s, err := Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.(*Postgres); !ok {
		t.Fatalf("a postgres:// spec opened %T", s)
	}
}

// A role that may not create extensions (no CREATE on the database) but
// owns a schema gets a working store, accents folded by translate().
func TestPostgresWithoutExtensionRights(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	admin := sqlDB(t, dsn)
	var may bool
	if err := admin.QueryRow(`SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user`).Scan(&may); err != nil {
		t.Fatal(err)
	}
	if !may {
		t.Skip("the role of NATOWATCH_PG_DSN may not create roles")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	role := "natowatch_limited_" + strings.TrimPrefix(u.Path, "/natowatch_test_")
	mustExec(t, admin, `CREATE ROLE `+role+` LOGIN PASSWORD 'limited-pw'; CREATE SCHEMA nw AUTHORIZATION `+role+`;
		REVOKE CREATE ON DATABASE `+strings.TrimPrefix(u.Path, "/")+` FROM PUBLIC`)
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP OWNED BY ` + role + `; DROP ROLE ` + role); err != nil {
			t.Errorf("drop role: %v", err)
		}
	})
	u.User = url.UserPassword(role, "limited-pw")
	s, err := OpenPostgres(ctx, withParam(t, u.String(), "search_path", "nw"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: "https://x/1", Title: "Ministers meet",
		Body: []string{"Ministers discussed the Geoană plan."}}, Fingerprint: "f", Version: 1}, t0); err != nil {
		t.Fatal(err)
	}
	if hits, err := s.Search(ctx, "geoana", 5); err != nil || len(hits) != 1 || !strings.Contains(hits[0].Snippet, "**") {
		t.Fatalf("search: %+v %v", hits, err)
	}
	var unaccent bool
	if err := admin.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent')`).Scan(&unaccent); err != nil || unaccent {
		t.Fatalf("unaccent installed: %v %v", unaccent, err)
	}
}
