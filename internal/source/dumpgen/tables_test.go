package dumpgen

import (
	"errors"
	"reflect"
	"testing"
)

func TestShares(t *testing.T) {
	for _, c := range []struct {
		size    int64
		weights []float64
		want    []int64
	}{
		{10, []float64{1, 1, 1}, []int64{4, 3, 3}}, // as size/n, remainder first
		{1 << 30, []float64{1, 1, 1}, []int64{357913942, 357913941, 357913941}},
		{1000, []float64{760, 172, 119}, []int64{724, 163, 113}},
		{7, []float64{1}, []int64{7}},
	} {
		got := shares(c.size, c.weights)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("shares(%d, %v) = %v, want %v", c.size, c.weights, got, c.want)
		}
		var sum int64
		for _, g := range got {
			sum += g
		}
		if sum != c.size {
			t.Errorf("shares(%d, %v) sum to %d", c.size, c.weights, sum)
		}
	}
}

func TestTableWeights(t *testing.T) {
	cfg := Config{Dir: t.TempDir(), Size: 2 << 20, Tables: []string{"tpch-sf1"}}
	if err := cfg.adjust(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"lineitem", "orders", "partsupp"}; !reflect.DeepEqual(cfg.Tables, want) {
		t.Fatalf("tables %v, want %v", cfg.Tables, want)
	}
	res, err := Run(t.Context(), Config{Dir: t.TempDir(), Size: 2 << 20, Tables: []string{"sbtest:3", "wide"}})
	if err != nil {
		t.Fatal(err)
	}
	// Each table stops before the row that would pass its share.
	if a, b := res.Tables[0].Bytes, res.Tables[1].Bytes; a < 3*b-b/2 || a > 3*b+b/2 {
		t.Errorf("sbtest:3 wrote %d bytes, wide %d: want about 3:1", a, b)
	}
	for _, bad := range [][]string{{"sbtest:0"}, {"sbtest:-1"}, {"sbtest:x"}, {"sbtest:"}, {"sbtest:0.0001"}, {"tpch:2"},
		{"sbtest", "sbtest:2"}, {"sbtest:1e9", "wide:0.001"}} {
		cfg := Config{Dir: t.TempDir(), Size: 1 << 20, Tables: bad}
		if err := cfg.adjust(); !errors.Is(err, ErrConfig) {
			t.Errorf("%q: %v, want ErrConfig", bad, err)
		} else {
			t.Logf("%q: %v", bad, err)
		}
	}
}
