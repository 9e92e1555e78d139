package producer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// TestPlanSchemaCreateForms: a schema-create file Lightning accepts, such
// as `CREATE DATABASE `x` IF NOT EXISTS;`, gives the database (with its
// charset) in every table's manifest; a file with no CREATE DATABASE is
// an error naming the file.
func TestPlanSchemaCreateForms(t *testing.T) {
	write := func(create string) string {
		dir := t.TempDir()
		for name, body := range map[string]string{
			"x-schema-create.sql": create,
			"x.t-schema.sql":      "CREATE TABLE t (a INT);\n",
			"x.t.000000000.sql":   "INSERT INTO t VALUES (1);\n",
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	kc := kafkaio.Config{Brokers: []string{"x:1"}}
	p, err := MakePlan(Config{Dump: write("/*!40101 SET NAMES binary*/;\nCREATE DATABASE `x` IF NOT EXISTS /*!40100 DEFAULT CHARACTER SET latin1 */;\n"), Kafka: kc})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Manifests[0].DbSchemaSql, "CREATE DATABASE IF NOT EXISTS `x` DEFAULT CHARACTER SET latin1"; got != want {
		t.Errorf("manifest database schema %q, want %q", got, want)
	}
	dir := write("CREATE TABLE x (a INT);\n")
	_, err = MakePlan(Config{Dump: dir, Kafka: kc})
	if !errors.Is(err, tablemodel.ErrDatabaseSchema) || !strings.Contains(err.Error(), filepath.Join(dir, "x-schema-create.sql")) {
		t.Fatalf("a schema-create file without CREATE DATABASE: %v", err)
	}
}
