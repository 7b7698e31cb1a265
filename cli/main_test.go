package cli

import (
	"os"
	"testing"

	"github.com/natowatch/natowatch/internal/pgtest"
	"github.com/natowatch/natowatch/internal/testbin"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	testbin.Cleanup()
	os.Exit(code)
}
