package state

import "testing"

func TestPlaceholders(t *testing.T) {
	for _, tc := range []struct{ q, ph, want string }{
		{"SELECT a FROM t WHERE b = P1 AND c = P2", "?", "SELECT a FROM t WHERE b = ? AND c = ?"},
		{"SELECT a FROM t WHERE b = P1 AND c = P2", "$", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		// Out of order or repeated: SQLite keeps the numbers.
		{"UPDATE t SET a = P2 WHERE id = P1", "?", "UPDATE t SET a = ?2 WHERE id = ?1"},
		{"VALUES (P1, P2, P3, P4, P5, P6, P7, P8, P8)", "?", "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"},
		{"VALUES (P1, P2, P3, P4, P5, P6, P7, P8, P8)", "$", "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"},
		{"SELECT 1", "?", "SELECT 1"},
		{"SELECT P", "$", "SELECT P"},
	} {
		if got := placeholders(tc.q, tc.ph); got != tc.want {
			t.Errorf("placeholders(%q, %q) = %q, want %q", tc.q, tc.ph, got, tc.want)
		}
	}
}
