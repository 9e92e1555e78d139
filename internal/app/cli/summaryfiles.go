package cli

import (
	"context"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/app/summary"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/storage"
)

// summaryOf is the import's summary with its files section: the dump is
// scanned again with the import's filter and routes (a walk of its
// directory), so that every file is listed with what became of it.
func summaryOf(res *pipeline.Result, cfg pipeline.Config) (*summary.Summary, error) {
	s := summary.FromResult(res)
	filter, err := dump.ParseFilter(cfg.Filter)
	if err != nil {
		return s, fmt.Errorf("summary files: %w", err)
	}
	router, err := dump.NewRouter(cfg.Routes)
	if err != nil {
		return s, fmt.Errorf("summary files: %w", err)
	}
	st, err := storage.Open(context.Background(), cfg.Dump)
	if err != nil {
		return s, fmt.Errorf("summary files: %w", err)
	}
	d, err := dump.ScanStorage(st, filter, router, dump.Source{})
	if err != nil {
		return s, fmt.Errorf("summary files: %w", err)
	}
	if s.Files, err = summary.DumpFiles(d, res.State); err != nil {
		return s, fmt.Errorf("summary files: %w", err)
	}
	return s, nil
}
