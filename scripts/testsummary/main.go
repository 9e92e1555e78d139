// Command testsummary reads `go test -json` on standard input and prints
// what a person needs: every package's result line, the whole output of
// each failed test, the names of the skipped tests with their reasons, and
// a closing line "N passed, N failed, N skipped". It exits 1 when a test
// or a package failed (scripts/test.sh).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type key struct{ pkg, test string }

func main() {
	os.Exit(run(os.Stdin, os.Stdout))
}

func run(in io.Reader, out io.Writer) int {
	outputs := map[key][]string{}
	var skipped []string
	passed, failed := 0, 0
	pkgFailed := false
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil || ev.Action == "" {
			fmt.Fprintln(out, string(line)) // not JSON: pass it through (go vet, build errors)
			continue
		}
		k := key{ev.Package, ev.Test}
		switch ev.Action {
		case "build-output":
			fmt.Fprint(out, ev.Output)
		case "output":
			if ev.Test == "" {
				fmt.Fprint(out, ev.Output) // "ok  pkg 1.2s", "FAIL pkg", panics outside tests
				continue
			}
			outputs[k] = append(outputs[k], ev.Output)
		case "pass":
			if ev.Test != "" {
				passed++
			}
			delete(outputs, k)
		case "skip":
			if ev.Test != "" {
				skipped = append(skipped, fmt.Sprintf("%s %s: %s", ev.Package, ev.Test, reason(outputs[k])))
			}
			delete(outputs, k)
		case "fail":
			if ev.Test == "" {
				pkgFailed = true
				continue
			}
			failed++
			fmt.Fprint(out, strings.Join(outputs[k], ""))
			delete(outputs, k)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(out, "testsummary:", err)
		pkgFailed = true
	}
	if len(skipped) > 0 {
		sort.Strings(skipped)
		fmt.Fprintf(out, "\nskipped tests (%d):\n", len(skipped))
		for _, s := range skipped {
			fmt.Fprintln(out, "  "+s)
		}
	}
	fmt.Fprintf(out, "\n%d passed, %d failed, %d skipped\n", passed, failed, len(skipped))
	if failed > 0 || pkgFailed {
		return 1
	}
	return 0
}

// reason is the skip message among a skipped test's output lines.
func reason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "--- SKIP") || strings.HasPrefix(l, "=== ") {
			continue
		}
		if _, after, ok := strings.Cut(l, ": "); ok && strings.Contains(l, "_test.go:") {
			return after
		}
		return l
	}
	return "(no reason given)"
}
