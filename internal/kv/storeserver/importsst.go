package storeserver

import (
	"context"

	"github.com/pingcap/kvproto/pkg/import_sstpb"
)

// importService serves TiKV's ImportSST API (kvproto import_sstpb).
type importService struct {
	import_sstpb.UnimplementedImportSSTServer
	e *endpoint
}

// SwitchMode implements import_sstpb.ImportSSTServer. Import mode only
// relaxes RocksDB write stalls in TiKV (tikv/components/sst_importer
// import_mode.rs); here it is recorded and reported by GetMode.
func (i *importService) SwitchMode(_ context.Context, req *import_sstpb.SwitchModeRequest) (*import_sstpb.SwitchModeResponse, error) {
	s := i.e.s
	s.importMu.Lock()
	s.importMode = req.GetMode() == import_sstpb.SwitchMode_Import
	s.importMu.Unlock()
	return &import_sstpb.SwitchModeResponse{}, nil
}

// GetMode implements import_sstpb.ImportSSTServer.
func (i *importService) GetMode(context.Context, *import_sstpb.GetModeRequest) (*import_sstpb.GetModeResponse, error) {
	mode := import_sstpb.SwitchMode_Normal
	if i.e.s.ImportMode() {
		mode = import_sstpb.SwitchMode_Import
	}
	return &import_sstpb.GetModeResponse{Mode: mode}, nil
}

// Compact implements import_sstpb.ImportSSTServer: goleveldb compacts on
// its own, so a compaction request succeeds with nothing to do.
func (i *importService) Compact(context.Context, *import_sstpb.CompactRequest) (*import_sstpb.CompactResponse, error) {
	return &import_sstpb.CompactResponse{}, nil
}
