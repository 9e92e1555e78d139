package tablemodel

import (
	"errors"
	"strings"
	"testing"
)

// dumplingView is a -schema-view.sql as dumpling writes it.
const dumplingView = "/*!40101 SET NAMES binary*/;\n" +
	"DROP TABLE IF EXISTS `v2`;\n" +
	"DROP VIEW IF EXISTS `v2`;\n" +
	"SET @PREV_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT;\n" +
	"SET character_set_client = utf8mb4;\n" +
	"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `v2` (`a`, `n`) AS SELECT `v1`.`a` AS `a`,`v1`.`n` AS `n` FROM `shop`.`v1` WHERE `n` > 1;\n" +
	"SET character_set_client = @PREV_CHARACTER_SET_CLIENT;\n"

// mydumperView is one as mydumper 0.10 writes it.
const mydumperView = "/*!40101 SET NAMES binary*/;\n" +
	"DROP TABLE IF EXISTS `v1`;\n" +
	"DROP VIEW IF EXISTS `v1`;\n" +
	"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `v1` AS select `t`.`a` AS `a`,count(0) AS `n` from (`t` join `u` on((`t`.`a` = `u`.`a`))) group by `t`.`a`;\n"

func TestParseView(t *testing.T) {
	v, err := ParseView("shop", "v2", dumplingView)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Statements) != 7 {
		t.Errorf("statements %q", v.Statements)
	}
	if !strings.HasPrefix(v.Statements[1], "DROP TABLE IF EXISTS `shop`.`v2`") || !strings.HasPrefix(v.Statements[2], "DROP VIEW IF EXISTS `shop`.`v2`") {
		t.Errorf("drops %q %q", v.Statements[1], v.Statements[2])
	}
	if !strings.Contains(v.Definition, "VIEW `shop`.`v2` (`a`,`n`) AS SELECT") || v.Statements[5] != v.Definition {
		t.Errorf("definition %q", v.Definition)
	}
	if len(v.Refs) != 1 || v.Refs[0] != [2]string{"shop", "v1"} {
		t.Errorf("refs %q", v.Refs)
	}
	v1, err := ParseView("shop", "v1", mydumperView)
	if err != nil {
		t.Fatal(err)
	}
	if len(v1.Refs) != 2 || v1.Refs[0] != [2]string{"shop", "t"} || v1.Refs[1] != [2]string{"shop", "u"} {
		t.Errorf("refs %q", v1.Refs)
	}
	for _, bad := range []string{"CREATE TABLE v (a int);", "CREATE VIEW v AS SELEKT 1;"} {
		if _, err := ParseView("shop", "v", bad); !errors.Is(err, ErrViewSchema) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestOrderViews: a view comes after the views it reads, whatever their
// names; a cycle is an error naming it.
func TestOrderViews(t *testing.T) {
	mk := func(db, name, query string) *View {
		v, err := ParseView(db, name, "CREATE VIEW x AS "+query)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	views := []*View{
		mk("d", "a_top", "SELECT * FROM b_mid JOIN e.c_base"),
		mk("d", "b_mid", "SELECT * FROM e.c_base"),
		mk("e", "c_base", "SELECT * FROM t"),
		mk("d", "a0_cte", "WITH a_top AS (SELECT 1) SELECT * FROM a_top"),
	}
	got, err := OrderViews(views)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range got {
		names = append(names, v.DB+"."+v.Name)
	}
	if want := "d.a0_cte e.c_base d.b_mid d.a_top"; strings.Join(names, " ") != want {
		t.Errorf("order %q, want %q", names, want)
	}
	_, err = OrderViews([]*View{mk("d", "p", "SELECT * FROM q"), mk("d", "q", "SELECT * FROM p")})
	if !errors.Is(err, ErrViewCycle) || !strings.Contains(err.Error(), "d.p -> d.q -> d.p") {
		t.Errorf("cycle: %v", err)
	}
}
