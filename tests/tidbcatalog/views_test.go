package tidbcatalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

var _ coordinator.ViewCreator = (*tidbcatalog.TiDB)(nil)

// viewFile is a -schema-view.sql as dumpling writes it.
const viewFile = "/*!40101 SET NAMES binary*/;\nDROP TABLE IF EXISTS `v`;\nDROP VIEW IF EXISTS `v`;\n" +
	"SET character_set_client = utf8mb4;\n" +
	"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `v` (`a`) AS SELECT `a` FROM `t`;\n"

// TestCreateViewStatements: the view file's statements run as Lightning
// runs them, in the view's database, each naming db.view; a view that
// exists already is left alone.
func TestCreateViewStatements(t *testing.T) {
	c, rec := recordedCatalog(t, tidbcatalog.Config{})
	v, err := tablemodel.ParseView("shop", "v", viewFile)
	if err != nil {
		t.Fatal(err)
	}
	rec.Answer("SELECT TABLE_NAME FROM information_schema.VIEWS", &tidbcatalog.ResultSet{Columns: []string{"TABLE_NAME"}})
	if err := c.CreateView(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rec.Statements(), "\n")
	for _, want := range []string{
		"SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'v'",
		"USE `shop`\nSET NAMES 'binary'\nDROP TABLE IF EXISTS `shop`.`v`\nDROP VIEW IF EXISTS `shop`.`v`\n",
		"CREATE ALGORITHM = UNDEFINED DEFINER = `root`@`%` SQL SECURITY DEFINER VIEW `shop`.`v` (`a`) AS SELECT `a` FROM `t`",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("statements\n%s\ndo not contain\n%s", got, want)
		}
	}

	c2, rec2 := recordedCatalog(t, tidbcatalog.Config{})
	s := "v"
	rec2.Answer("SELECT TABLE_NAME FROM information_schema.VIEWS", &tidbcatalog.ResultSet{Columns: []string{"TABLE_NAME"}, Rows: [][]*string{{&s}}})
	if err := c2.CreateView(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	for _, q := range rec2.Statements() {
		if strings.HasPrefix(q, "CREATE") || strings.HasPrefix(q, "DROP") {
			t.Errorf("existing view: ran %q", q)
		}
	}

	c3, rec3 := recordedCatalog(t, tidbcatalog.Config{})
	rec3.Answer("SELECT TABLE_NAME FROM information_schema.VIEWS", &tidbcatalog.ResultSet{Columns: []string{"TABLE_NAME"}})
	rec3.Fail("CREATE ALGORITHM", errors.New("Table 'shop.t' doesn't exist"))
	if err := c3.CreateView(context.Background(), v); err == nil || !strings.Contains(err.Error(), "doesn't exist") {
		t.Errorf("failed CREATE VIEW: %v", err)
	}
}

// viewCluster is fakeCluster that also creates views.
type viewCluster struct {
	*fakeCluster
	mu      sync.Mutex
	created []string
	tables  int // tables analyzed when the first view was created
}

func (v *viewCluster) CreateView(_ context.Context, view *tablemodel.View) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.created) == 0 {
		v.fakeCluster.mu.Lock()
		v.tables = len(v.fakeCluster.analyzed)
		v.fakeCluster.mu.Unlock()
	}
	v.created = append(v.created, view.DB+"."+view.Name)
	return nil
}

// TestCoordinatorCreatesViews: with a catalog that can create views, the
// coordinator creates them after every table is imported, each after the
// views it reads, and records them; their placeholders are no tables.
func TestCoordinatorCreatesViews(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an import")
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"shop-schema-create.sql":      "CREATE DATABASE shop;\n",
		"shop.t-schema.sql":           "CREATE TABLE t (a INT PRIMARY KEY);\n",
		"shop.t.000000000.sql":        "INSERT INTO t VALUES (1),(2);\n",
		"shop.u-schema.sql":           "CREATE TABLE u (a INT PRIMARY KEY);\n",
		"shop.u.000000000.sql":        "INSERT INTO u VALUES (1);\n",
		"shop.a_top-schema.sql":       "CREATE TABLE `a_top`(`a` int);\n",
		"shop.a_top-schema-view.sql":  "DROP TABLE IF EXISTS `a_top`;\nDROP VIEW IF EXISTS `a_top`;\nCREATE VIEW `a_top` AS SELECT a FROM z_base;\n",
		"shop.z_base-schema.sql":      "CREATE TABLE `z_base`(`a` int);\n",
		"shop.z_base-schema-view.sql": "DROP TABLE IF EXISTS `z_base`;\nDROP VIEW IF EXISTS `z_base`;\nCREATE VIEW `z_base` AS SELECT t.a FROM t JOIN u USING (a);\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var coord *coordinator.Coordinator
	cat := &viewCluster{fakeCluster: &fakeCluster{}}
	cat.checksum = func(db, table string) checkpoint.Checksum {
		for _, tp := range coord.Progress().Tables {
			if tp.DB == db && tp.Table == table {
				return tp.Source
			}
		}
		return checkpoint.Checksum{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := pipeline.Run(ctx, pipeline.Config{
		Dump: dir, WorkDir: t.TempDir(), Encoders: 1, Sorters: 1, Catalog: cat,
		OnStart: func(c *coordinator.Coordinator) { coord = c },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cat.created, ","); got != "shop.z_base,shop.a_top" {
		t.Errorf("views created %q, want shop.z_base then shop.a_top", got)
	}
	if cat.tables != 2 {
		t.Errorf("the first view was created after %d of 2 tables were done", cat.tables)
	}
	if len(res.State.Tables) != 2 || res.State.Steps[coordinator.StepViews].Status != checkpoint.Done {
		t.Errorf("tables %d, step %+v", len(res.State.Tables), res.State.Steps[coordinator.StepViews])
	}
	for _, name := range []string{"a_top", "z_base"} {
		if v := res.State.FindView("shop", name); v == nil || v.Status != checkpoint.Done || !strings.Contains(v.Definition, "`shop`.`"+name+"`") {
			t.Errorf("checkpoint view %s: %+v", name, v)
		}
	}
}
