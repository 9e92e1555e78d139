package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:9: corpus not found at /x\n"}
{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:3: got 1, want 2\n"}
{"Action":"fail","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t0.1s\n"}
{"Action":"fail","Package":"p"}
{"Action":"output","Package":"q","Output":"ok  \tq\t0.2s\n"}
{"Action":"pass","Package":"q"}
`

func TestSummary(t *testing.T) {
	var out bytes.Buffer
	code := run(strings.NewReader(sample), &out)
	got := out.String()
	for _, want := range []string{"c_test.go:3: got 1, want 2", "FAIL\tp", "ok  \tq", "skipped tests (1):\n  p TestB: corpus not found at /x", "\n1 passed, 1 failed, 1 skipped\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "=== RUN   TestA") {
		t.Errorf("a passing test's output was printed:\n%s", got)
	}
	if code != 1 {
		t.Errorf("exit %d with a failed test", code)
	}
	out.Reset()
	if code := run(strings.NewReader("{\"Action\":\"pass\",\"Package\":\"q\",\"Test\":\"T\"}\n"), &out); code != 0 {
		t.Errorf("exit %d with every test passing", code)
	}
}
