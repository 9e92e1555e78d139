package store

import (
	"github.com/pingcap/log"
	"go.uber.org/zap/zapcore"
)

// quietLogs keeps client-go's INFO logging out of test output.
func quietLogs() { log.SetLevel(zapcore.WarnLevel) }
