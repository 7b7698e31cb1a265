package state

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/internal/pgtest"
)

// A database at schema 2 (each alert stored with every outbox row) is
// migrated: the alerts of rows waiting or failed are split from their
// matches, the delivered rows keep none.
func TestPostgresMigrateFromSchema2(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	old, err := openPostgres(ctx, dsn, pgOptions{schema: 2})
	if err != nil {
		t.Fatal(err)
	}
	writeOldState(t, func(q string, args ...any) {
		t.Helper()
		n := 0
		var b strings.Builder
		for _, r := range q {
			if r == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(r)
		}
		if _, err := pgExec(ctx, old.db, b.String(), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}, "id")
	// The rows were written with their ids, as Migrate writes them.
	for _, table := range []string{"releases", "outbox"} {
		if _, err := old.db.Exec(`SELECT setval(pg_get_serial_sequence('` + table + `', 'id'), (SELECT max(id) FROM ` + table + `))`); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version int
	if err := s.db.QueryRow(`SELECT max(version) FROM natowatch_schema`).Scan(&version); err != nil || version != len(pgMigrations) {
		t.Fatalf("schema = %d, %v", version, err)
	}
	checkMigrated(t, s)
}
