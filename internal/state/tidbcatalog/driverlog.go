package tidbcatalog

import (
	"fmt"
	"log/slog"

	"github.com/go-sql-driver/mysql"
)

// The MySQL driver prints what it sees of a failing connection
// ("packets.go:58: unexpected EOF", "busy buffer") straight to standard
// error, between the user's progress lines, while the same failure comes
// back as an error that names the server. Its lines go to the log at debug
// level instead (--log-level debug shows them).
func init() { _ = mysql.SetLogger(driverLogger{}) }

type driverLogger struct{}

func (driverLogger) Print(v ...any) {
	slog.Debug("mysql driver", "component", "tidb-catalog", "message", fmt.Sprint(v...))
}
