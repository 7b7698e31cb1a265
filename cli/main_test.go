package cli

import (
	"os"
	"testing"

	"github.com/natowatch/natowatch/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
