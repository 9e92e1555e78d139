// Package architecture keeps the import rules of ARCHITECTURE.md: the
// dataflow's stages meet only through schemas/ and the packages below the
// application layer.
package architecture

import (
	"encoding/json"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/lightstream-io/lightstream"

// The stages of the dataflow (top-level folders).
var stages = map[string]bool{"producer": true, "encoder": true, "sorter": true, "ingest": true, "coordinator": true}

// The application layer: the only code that wires stages together.
var appLayer = map[string]bool{
	"cmd/lightstream": true, "internal/cli": true, "internal/pipeline": true, "internal/bench": true,
	"internal/summary": true, "internal/export": true, "internal/statuspage": true,
}

// packages lists the module's packages (tests excluded) with their
// imports of the module, by path relative to the module.
func packages(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		var deps []string
		for _, imp := range p.Imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				deps = append(deps, strings.TrimPrefix(strings.TrimPrefix(imp, module), "/"))
			}
		}
		pkgs[rel] = deps
	}
	return pkgs
}

// TestImportRules fails on any import that crosses the layers.
func TestImportRules(t *testing.T) {
	pkgs := packages(t)
	if len(pkgs) < 30 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	var broken []string
	for pkg, deps := range pkgs {
		if strings.HasPrefix(pkg, "tests/") {
			continue // end-to-end tests may drive anything
		}
		for _, dep := range deps {
			if why := violation(pkg, dep); why != "" {
				broken = append(broken, pkg+" imports "+dep+": "+why)
			}
		}
	}
	sort.Strings(broken)
	for _, b := range broken {
		t.Error(b)
	}
}

// violation says which rule an import of dep by pkg breaks, or "".
func violation(pkg, dep string) string {
	top := func(p string) string { return strings.SplitN(p, "/", 2)[0] }
	switch {
	case top(pkg) == "schemas" && top(dep) != "schemas":
		return "schemas/ is a leaf: it imports nothing of the project"
	case stages[pkg] && stages[dep] && !(pkg == "sorter" && dep == "ingest"):
		return "a stage never imports another stage (sorter -> ingest, one stage, is the exception)"
	case dep == "ingest" && pkg != "sorter" && !appLayer[pkg]:
		return "ingest is the importer half of the sorter stage: only sorter/ and the application layer import it"
	case !appLayer[pkg] && !stages[pkg] && (stages[dep] || appLayer[dep]):
		return "packages below the application layer import no stage and no application code"
	case stages[pkg] && appLayer[dep]:
		return "a stage never imports the application layer"
	}
	return ""
}

// TestRulesCatch: each rule fires on an import that breaks it.
func TestRulesCatch(t *testing.T) {
	for _, c := range [][2]string{
		{"schemas", "internal/kafkaio"},
		{"encoder", "sorter"},
		{"coordinator", "ingest"},
		{"internal/kvenc", "encoder"},
		{"internal/store", "internal/pipeline"},
		{"producer", "internal/cli"},
	} {
		if violation(c[0], c[1]) == "" {
			t.Errorf("%s -> %s passes", c[0], c[1])
		}
	}
	for _, c := range [][2]string{{"sorter", "ingest"}, {"internal/cli", "encoder"}, {"encoder", "schemas/lsv1"}, {"internal/bench", "internal/pipeline"}} {
		if why := violation(c[0], c[1]); why != "" {
			t.Errorf("%s -> %s refused: %s", c[0], c[1], why)
		}
	}
}
