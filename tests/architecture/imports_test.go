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

// isApp says whether pkg is in the application layer, the only code that
// wires stages together: cmd/ and internal/app/.
func isApp(pkg string) bool {
	return strings.HasPrefix(pkg, "cmd/") || strings.HasPrefix(pkg, "internal/app/")
}

// runsStages lists the application packages that run stages: the
// commands, the all-in-one import and the benchmark. The rest of the
// application layer (export, summary, statuspage) reads what the stages
// wrote through the packages below, as the row codec (internal/tidb/rowcodec)
// is shared rather than reached for in the encoder stage.
var runsStages = map[string]bool{"internal/app/cli": true, "internal/app/pipeline": true, "internal/app/bench": true}

// area is the area of an internal package ("tidb", "source", "kafka", "kv",
// "state", "ops", "app", "golden"), or "" outside internal/.
func area(pkg string) string {
	parts := strings.Split(pkg, "/")
	if len(parts) < 2 || parts[0] != "internal" {
		return ""
	}
	return parts[1]
}

// lower lists, for each area below the application layer, the areas it may
// import besides itself. TiDB's rules are the floor; sources parse rows with
// them; the KV area stores what they encode; state and ops sit above those.
var lower = map[string][]string{
	"tidb":   nil,
	"golden": nil,
	"source": {"tidb"},
	"kafka":  {"tidb"},
	"kv":     {"tidb"},
	"state":  {"tidb", "kv", "kafka"},
	"ops":    {"tidb", "kv", "kafka", "state", "source"},
}

var areas = map[string]bool{"tidb": true, "golden": true, "source": true, "kafka": true, "kv": true, "state": true, "ops": true, "app": true}

// imports are a package's imports: those of the module by path relative to
// it, and every other (the standard library's and third parties').
type imports struct {
	module, external []string
}

// kafkaGo is the Kafka client library that only internal/kafka may import.
const kafkaGo = "github.com/segmentio/kafka-go"

// packages lists the module's packages (tests excluded) with their
// imports, by path relative to the module.
func packages(t *testing.T) map[string]imports {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]imports{}
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
		var deps imports
		for _, imp := range p.Imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				deps.module = append(deps.module, strings.TrimPrefix(strings.TrimPrefix(imp, module), "/"))
			} else {
				deps.external = append(deps.external, imp)
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
		for _, dep := range deps.module {
			if why := violation(pkg, dep); why != "" {
				broken = append(broken, pkg+" imports "+dep+": "+why)
			}
		}
		for _, dep := range deps.external {
			if why := externalViolation(pkg, dep); why != "" {
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
	appLayer := map[string]bool{pkg: isApp(pkg), dep: isApp(dep)}
	switch {
	case top(pkg) == "internal" && !areas[area(pkg)]:
		return "internal/ is grouped by area: " + strings.Join(sortedAreas(), ", ")
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
	case appLayer[pkg] && stages[dep] && !runsStages[pkg] && !strings.HasPrefix(pkg, "cmd/"):
		return "only the application packages that run stages (cmd/, " + strings.Join(sortedKeys(runsStages), ", ") + ") import a stage"
	case area(pkg) == "tidb" && !strings.HasPrefix(dep, "internal/tidb/"):
		return "internal/tidb is the floor: it imports only internal/tidb, no topic or message type (schemas/) either"
	case area(pkg) != "" && area(pkg) != "app" && area(dep) != "" && area(dep) != area(pkg) && !allowed(area(pkg), area(dep)):
		return "internal/" + area(pkg) + " may import only " + strings.Join(append([]string{area(pkg)}, lower[area(pkg)]...), ", ") + " of internal/"
	}
	return ""
}

// externalViolation says which rule an import of dep, a package outside the
// module, by pkg breaks, or "". (tests/ is skipped by the caller: its
// harnesses may drive kafka-go directly.)
func externalViolation(pkg, dep string) string {
	if (dep == kafkaGo || strings.HasPrefix(dep, kafkaGo+"/")) && !strings.HasPrefix(pkg, "internal/kafka/") {
		return "kafka-go stays behind the client boundary: only internal/kafka/ imports it (stages and the application layer use internal/kafka/kafkaio)"
	}
	return ""
}

func allowed(from, to string) bool {
	for _, a := range lower[from] {
		if a == to {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedAreas() []string {
	var out []string
	for a := range areas {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// TestRulesCatch: each rule fires on an import that breaks it.
func TestRulesCatch(t *testing.T) {
	for _, c := range [][2]string{
		{"schemas", "internal/kafka/kafkaio"},
		{"encoder", "sorter"},
		{"coordinator", "ingest"},
		{"internal/tidb/kvenc", "encoder"},
		{"internal/kv/store", "internal/app/pipeline"},
		{"producer", "internal/app/cli"},
		{"internal/tidb/kvenc", "internal/kv/engine"},
		{"internal/source/dump", "internal/kafka/kafkaio"},
		{"internal/kv/store", "internal/state/checkpoint"},
		{"internal/newthing", "internal/tidb/kvenc"},
		{"internal/app/export", "encoder"},
		{"internal/app/summary", "coordinator"},
		{"internal/tidb/rowcodec", "schemas/lsv1"},
		{"internal/tidb/rowcodec", "internal/golden"},
	} {
		if violation(c[0], c[1]) == "" {
			t.Errorf("%s -> %s passes", c[0], c[1])
		}
	}
	for _, c := range [][2]string{{"sorter", "ingest"}, {"internal/app/cli", "encoder"}, {"encoder", "schemas/lsv1"},
		{"internal/app/pipeline", "sorter"}, {"cmd/lightstream", "encoder"}, {"encoder", "internal/tidb/rowcodec"},
		{"internal/app/export", "internal/tidb/rowcodec"}, {"internal/source/dump", "schemas/lsv1"},
		{"internal/app/bench", "internal/app/pipeline"}, {"internal/source/dump", "internal/tidb/charset"}, {"internal/state/storecatalog", "internal/kv/store"}} {
		if why := violation(c[0], c[1]); why != "" {
			t.Errorf("%s -> %s refused: %s", c[0], c[1], why)
		}
	}
	for _, c := range [][2]string{
		{"encoder", kafkaGo},
		{"sorter", kafkaGo},
		{"internal/app/pipeline", kafkaGo + "/compress"},
		{"internal/state/checkpoint", kafkaGo},
		{"internal/kafkaish", kafkaGo},
	} {
		if externalViolation(c[0], c[1]) == "" {
			t.Errorf("%s -> %s passes", c[0], c[1])
		}
	}
	for _, c := range [][2]string{{"internal/kafka/kafkaio", kafkaGo}, {"internal/kafka/member", kafkaGo},
		{"internal/kafka/kafkaio", kafkaGo + "/sasl/scram"}, {"encoder", "github.com/segmentio/kafka-golden"}, {"sorter", "context"}} {
		if why := externalViolation(c[0], c[1]); why != "" {
			t.Errorf("%s -> %s refused: %s", c[0], c[1], why)
		}
	}
}
