package pgtest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestWithDatabase(t *testing.T) {
	cases := map[string]string{
		"postgres://u:p%40ss@127.0.0.1:5432/postgres?sslmode=disable": "postgres://u:p%40ss@127.0.0.1:5432/x?sslmode=disable",
		"postgresql://u@h/":           "postgresql://u@h/x",
		"postgres://u@h/db?dbname=db": "postgres://u@h/x?dbname=x",
	}
	for in, want := range cases {
		got, err := WithDatabase(in, "x")
		if err != nil || got != want {
			t.Errorf("WithDatabase(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := WithDatabase("host=127.0.0.1 dbname=postgres", "x"); err == nil {
		t.Error("key=value pairs taken for a URL")
	}
}

func TestFreshDatabases(t *testing.T) {
	ctx := context.Background()
	var names []string
	for i := 0; i < 2; i++ {
		t.Run("db", func(t *testing.T) {
			dsn := DSN(t)
			u, err := url.Parse(dsn)
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, strings.TrimPrefix(u.Path, "/"))
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var current string
			var tables int
			if err := db.QueryRowContext(ctx, `SELECT current_database(),
				(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
					WHERE n.nspname = 'public' AND c.relkind = 'r')`).Scan(&current, &tables); err != nil {
				t.Fatal(err)
			}
			if current != names[len(names)-1] || tables != 0 {
				t.Fatalf("database %s with %d tables, want an empty %s", current, tables, names[len(names)-1])
			}
			// Make it non-empty: the next test's must not see this.
			if _, err := db.ExecContext(ctx, `CREATE TABLE leftover (x int)`); err != nil {
				t.Fatal(err)
			}
		})
	}
	if len(names) != 2 { // the subtests skipped, or failed
		if !t.Failed() {
			t.Skip(Unavailable)
		}
		return
	}
	if names[0] == names[1] {
		t.Fatalf("the same database twice: %s", names[0])
	}
	// Each was dropped when its test ended.
	_, admin, err := server()
	if err != nil {
		t.Fatal(err)
	}
	var left int
	if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = ANY($1)`, names).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d test databases left behind", left)
	}
}
