package producer

import (
	"testing"

	"github.com/lightstream-io/lightstream/internal/ops/leakcheck"
)

// TestMain fails the package's tests when a goroutine outlives them: every
// goroutine the package starts has an owner that waits for it.
func TestMain(m *testing.M) { leakcheck.Main(m) }
