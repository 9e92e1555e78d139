package cli

import (
	"math"
	"testing"

	"github.com/lightstream-io/lightstream/internal/ops/precheck"
)

func TestPrecheckSpace(t *testing.T) {
	for _, c := range []struct {
		name    string
		t       importTargets
		work    float64
		engines bool
	}{
		{"embedded", importTargets{}, precheck.SpaceFactor, false},
		{"own engine dir", importTargets{engineDir: "/e"}, brokerSpace + storeSpace, true},
		{"cluster and kafka", importTargets{pd: []string{"pd:2379"}, brokers: []string{"k:9092"}}, engineSpace, false},
		// A logical import writes its SQL batches to the broker, nothing else.
		{"logical", importTargets{logical: true, engineDir: "/e"}, brokerSpace, false},
		{"logical on kafka", importTargets{logical: true, brokers: []string{"k:9092"}}, 0, false},
	} {
		work, engines := c.t.space()
		if math.Abs(work-c.work) > 1e-9 || engines != c.engines {
			t.Errorf("%s: space %v, own engine dir %v; want %v, %v", c.name, work, engines, c.work, c.engines)
		}
	}
}
