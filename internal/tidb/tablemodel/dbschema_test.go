package tablemodel

import (
	"errors"
	"testing"
)

// TestDatabaseSchemaSQL: schema-create files are read as Lightning reads
// them (it needs only the database's name): what TiDB's parser accepts is
// kept, other CREATE DATABASE/SCHEMA forms are rewritten, and a file with
// no CREATE DATABASE is refused.
func TestDatabaseSchemaSQL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// Kept as written.
		{"CREATE DATABASE `x`;\n", "CREATE DATABASE `x`;\n"},
		{"/*!40101 SET NAMES binary*/;\nCREATE DATABASE `x` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\n",
			"/*!40101 SET NAMES binary*/;\nCREATE DATABASE `x` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\n"},
		{"CREATE SCHEMA IF NOT EXISTS x;", "CREATE SCHEMA IF NOT EXISTS x;"},
		{"-- nothing but a comment\n", "-- nothing but a comment\n"},
		{"  \n", "  \n"},
		// Rewritten leniently.
		{"CREATE DATABASE `x` IF NOT EXISTS;", "CREATE DATABASE IF NOT EXISTS `db`"},
		{"/*!40101 SET NAMES binary*/;\nCREATE DATABASE `x` IF NOT EXISTS /*!40100 DEFAULT CHARACTER SET latin1 */;",
			"CREATE DATABASE IF NOT EXISTS `db` DEFAULT CHARACTER SET latin1"},
		{"create schema `x` if not exists default charset=gbk collate = gbk_bin", "CREATE DATABASE IF NOT EXISTS `db` DEFAULT CHARACTER SET gbk DEFAULT COLLATE gbk_bin"},
		{"CREATE DATABASE x IF NOT EXISTS CHARACTER SET 'utf8mb4' COLLATE \"utf8mb4_bin\";", "CREATE DATABASE IF NOT EXISTS `db` DEFAULT CHARACTER SET utf8mb4 DEFAULT COLLATE utf8mb4_bin"},
		{"SET x = ;\nCREATE DATABASE `x` IF NOT EXISTS;", "CREATE DATABASE IF NOT EXISTS `db`"},
	} {
		got, err := DatabaseSchemaSQL("db", c.in)
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		"CREATE TABLE t (a int) IF NOT EXISTS;",
		"hello world",
		"CREATE DATABASE x IF NOT EXISTS CHARACTER SET nosuchcharset",
	} {
		if got, err := DatabaseSchemaSQL("db", in); !errors.Is(err, ErrDatabaseSchema) {
			t.Errorf("%q: got %q, %v; want ErrDatabaseSchema", in, got, err)
		}
	}
}
