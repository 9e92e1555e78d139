package writer

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

func TestStatementAndStrategy(t *testing.T) {
	b := &lsv1.SQLBatch{Prefix: "REPLACE INTO `d`.`t` (`a`) VALUES", Rows: [][]byte{[]byte("(1)"), []byte("('x')")}}
	if got := string(fromProto(b).appendStatement(nil)); got != "REPLACE INTO `d`.`t` (`a`) VALUES (1),('x')" {
		t.Errorf("statement %q", got)
	}
	for prefix, want := range map[string]string{
		"REPLACE INTO `t` VALUES":       "replace",
		"INSERT IGNORE INTO `t` VALUES": "ignore",
		"INSERT INTO `t` VALUES":        "error",
	} {
		if got := strategy(prefix); got != want {
			t.Errorf("%s: %s, want %s", prefix, got, want)
		}
	}
}

// TestErrorKinds: what is retried whole and what is retried row by row.
func TestErrorKinds(t *testing.T) {
	for _, c := range []struct {
		err            error
		retry, rowwise bool
	}{
		{&mysql.MySQLError{Number: errDeadlock}, true, false},
		{&mysql.MySQLError{Number: errLockWait}, true, false},
		{fmt.Errorf("exec: %w", &mysql.MySQLError{Number: errTiDBWriteConf}), true, false},
		{driver.ErrBadConn, true, false},
		{mysql.ErrInvalidConn, true, false},
		{&mysql.MySQLError{Number: errDupEntry}, false, true},
		{&mysql.MySQLError{Number: 1406}, false, true}, // data too long
		{&mysql.MySQLError{Number: 1452}, false, true}, // foreign key
		{errors.New("other"), false, false},
	} {
		if got := retriable(c.err); got != c.retry {
			t.Errorf("%v: retriable %v", c.err, got)
		}
		if got := rowError(c.err); got != c.rowwise {
			t.Errorf("%v: row error %v", c.err, got)
		}
	}
}
