package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/cli"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/app/summary"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// TestViewsEmbedded: a dump with views in dumpling's and mydumper's
// layouts (-schema-view.sql plus a placeholder -schema.sql) imports its
// tables only; the views are listed as views in the summary and the
// final report with their definitions kept in the checkpoint, and
// exporting one is an error that says it is a view.
func TestViewsEmbedded(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "dump")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"shop-schema-create.sql":    "CREATE DATABASE `shop`;\n",
		"shop.orders-schema.sql":    "CREATE TABLE `orders` (`id` INT PRIMARY KEY, `amount` INT);\n",
		"shop.orders.000000000.sql": "INSERT INTO `orders` VALUES (1,10),(2,200),(3,3000);\n",
		// dumpling: a view over a view, named so that it sorts first.
		"shop.a_big-schema.sql": "/*!40101 SET NAMES binary*/;\nCREATE TABLE `a_big`(\n`id` int,\n`amount` int\n)ENGINE=MyISAM;\n",
		"shop.a_big-schema-view.sql": "/*!40101 SET NAMES binary*/;\nDROP TABLE IF EXISTS `a_big`;\nDROP VIEW IF EXISTS `a_big`;\n" +
			"SET @PREV_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT;\nSET character_set_client = utf8mb4;\n" +
			"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `a_big` (`id`, `amount`) AS SELECT `id`,`amount` FROM `shop`.`b_all` WHERE `amount` > 100;\n" +
			"SET character_set_client = @PREV_CHARACTER_SET_CLIENT;\n",
		// mydumper 0.10: placeholder with int columns, then the view.
		"shop.b_all-schema.sql": "CREATE TABLE IF NOT EXISTS `b_all`(\n`id` int,\n`amount` int\n);\n",
		"shop.b_all-schema-view.sql": "DROP TABLE IF EXISTS `b_all`;\nDROP VIEW IF EXISTS `b_all`;\n" +
			"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `b_all` AS select `orders`.`id` AS `id`,`orders`.`amount` AS `amount` from `orders`;\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	sumFile := filepath.Join(t.TempDir(), "summary.json")
	out, err := runCLI(t, "import", "--dump", dir, "--work-dir", work, "--summary", sumFile, "--quiet")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, want := range []string{"view shop.a_big: recorded", "view shop.b_all: recorded"} {
		if !strings.Contains(out, want) {
			t.Errorf("final report does not say %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(sumFile)
	if err != nil {
		t.Fatal(err)
	}
	var s summary.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Tables) != 1 || s.Tables[0].Table != "orders" || s.Tables[0].Rows != 3 {
		t.Errorf("summary tables %+v, want only shop.orders with 3 rows", s.Tables)
	}
	if len(s.Views) != 2 || s.Views[0].View != "a_big" || s.Views[1].View != "b_all" || s.Views[0].Status != "recorded" ||
		!strings.Contains(s.Views[0].Definition, "VIEW `shop`.`a_big`") || s.Views[1].File != "shop.b_all-schema-view.sql" {
		t.Errorf("summary views %+v", s.Views)
	}

	cp, err := checkpoint.Open(pipeline.CheckpointPath(work))
	if err != nil {
		t.Fatal(err)
	}
	st := cp.Snapshot()
	if len(st.Tables) != 1 || st.Steps["create-views"].Status != checkpoint.Skipped {
		t.Errorf("checkpoint tables %d, create-views step %+v", len(st.Tables), st.Steps["create-views"])
	}
	if v := st.FindView("shop", "b_all"); v == nil || !strings.Contains(v.Definition, "FROM `orders`") {
		t.Errorf("checkpoint view %+v", v)
	}

	_, err = runCLI(t, "export", "--work-dir", work, "--table", "shop.a_big")
	if !errors.Is(err, cli.ErrExportView) || !strings.Contains(err.Error(), "shop.a_big is a view") {
		t.Errorf("export of a view: %v", err)
	}
	csv, err := runCLI(t, "export", "--work-dir", work, "--table", "shop.orders")
	if err != nil || strings.Count(csv, "\n") != 4 {
		t.Errorf("export of the table: %v\n%s", err, csv)
	}
}
