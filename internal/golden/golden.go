// Package golden gives tests their golden inputs without naming a machine
// path: the TiDB encoding vectors committed in this repository, and the
// team's shared corpora found beside the repository (<module root>/../shared,
// or $LIGHTSTREAM_SHARED). A missing shared input skips the test with its
// name and where it was looked for, except under CI (CI=true), where it
// fails the run: a byte-exact check must never pass by not running.
package golden

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// vectors is a copy of ../shared/tidb-encoding/vectors.json (TiDB's own
// encodings, the floor of byte-exactness); TestVectorsCopy keeps it equal.
//
//go:embed testdata/vectors.json
var vectors []byte

// Vectors returns the TiDB encoding vectors (vectors.json).
func Vectors() []byte { return vectors }

// ModuleRoot returns the directory holding the main module's go.mod, found
// upwards from the test's working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if raw, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && isMainModule(raw) {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("no go.mod of github.com/lightstream-io/lightstream above %s", wd)
		}
	}
}

func isMainModule(gomod []byte) bool {
	const want = "module github.com/lightstream-io/lightstream\n"
	return len(gomod) >= len(want) && string(gomod[:len(want)]) == want
}

// SharedDir returns the shared folder: $LIGHTSTREAM_SHARED, else
// <module root>/../shared.
func SharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("LIGHTSTREAM_SHARED"); d != "" {
		return d
	}
	return filepath.Join(filepath.Dir(ModuleRoot(t)), "shared")
}

// Shared returns the path of rel (slash-separated parts) under the shared
// folder. When it is missing the test is skipped, or failed under CI.
func Shared(t testing.TB, rel ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{SharedDir(t)}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		Missing(t, fmt.Sprintf("golden input %s: %v (set LIGHTSTREAM_SHARED to the shared folder)", p, err))
	}
	return p
}

// ReadShared reads a file under the shared folder, as Shared finds it.
func ReadShared(t testing.TB, rel ...string) []byte {
	t.Helper()
	raw, err := os.ReadFile(Shared(t, rel...))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Missing skips the test for a missing golden input, or fails it under CI.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true: a missing golden input fails the run", why)
	}
	t.Skip(why)
}
