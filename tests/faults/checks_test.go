package faults

import (
	"io"
	"testing"

	"github.com/lightstream-io/lightstream/tests/sakilacheck"
)

// The sakila oracle lives in tests/sakilacheck, shared by the end-to-end
// suites.
type (
	tableCheck  = sakilacheck.TableCheck
	textFigures = sakilacheck.Figures
)

func sharedDir(t *testing.T) string                    { return sakilacheck.SharedDir(t) }
func sakilaDump(t *testing.T) string                   { return sakilacheck.SakilaDump(t) }
func loadChecks(t *testing.T) map[string]tableCheck    { return sakilacheck.LoadChecks(t) }
func figuresOfExport(r io.Reader) (textFigures, error) { return sakilacheck.FiguresOfExport(r) }
