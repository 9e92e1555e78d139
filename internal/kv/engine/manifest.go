package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4/table"
)

const (
	manifestName = "MANIFEST"
	manifestTmp  = "MANIFEST.tmp"
	lockName     = "LOCK"
	// manifestVersion is the manifest's format; Open refuses others.
	manifestVersion = 1
)

// manifest is an engine's state: its runs, oldest first, and its metadata.
// SyncedRuns and SyncedMeta are the state as of the last Sync, which is
// durable whatever happened after it: recovery falls back to it when a run
// written later did not reach the disk whole.
type manifest struct {
	Version    int               `json:"version"`
	NextRun    uint64            `json:"next_run"`
	Runs       []run             `json:"runs"`
	Meta       map[string][]byte `json:"meta"`
	SyncedRuns int               `json:"synced_runs"`
	SyncedMeta map[string][]byte `json:"synced_meta"`
}

// run is one sorted run: a Badger table file whose keys carry Seq as their
// version. A later run has a higher Seq and wins over earlier ones.
type run struct {
	Seq         uint64      `json:"seq"`
	Size        int64       `json:"size"`
	Pairs       int64       `json:"pairs"`
	Compression Compression `json:"compression"`
}

func (r run) file(dir string) string { return table.NewFilename(r.Seq, dir) }

func (m *manifest) setMeta(k string, v []byte) {
	if m.Meta == nil {
		m.Meta = map[string][]byte{}
	}
	m.Meta[k] = append([]byte(nil), v...)
}

func (m *manifest) markSynced() {
	m.SyncedRuns = len(m.Runs)
	m.SyncedMeta = maps.Clone(m.Meta)
}

// saveManifest replaces the manifest file atomically (write, rename); with
// durable it is fsync'd, and so is the directory entry.
func (e *Engine) saveManifest(durable bool) error {
	raw, err := json.Marshal(&e.man)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	tmp := filepath.Join(e.dir, manifestTmp)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	_, err = f.Write(raw)
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(e.dir, manifestName))
	}
	if err == nil && durable {
		err = syncFile(e.dir)
	}
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return nil
}

// recover loads the manifest, checks the runs written since the last Sync
// and removes files no manifest lists.
func (e *Engine) recover() error {
	raw, err := os.ReadFile(filepath.Join(e.dir, manifestName))
	switch {
	case errors.Is(err, os.ErrNotExist):
		e.man = manifest{Version: manifestVersion, NextRun: 1}
	case err != nil:
		return fmt.Errorf("manifest: %w", err)
	default:
		if err := json.Unmarshal(raw, &e.man); err != nil {
			return fmt.Errorf("manifest %s: %w", filepath.Join(e.dir, manifestName), err)
		}
		if e.man.Version != manifestVersion {
			return fmt.Errorf("manifest %s: format version %d, this build reads %d",
				filepath.Join(e.dir, manifestName), e.man.Version, manifestVersion)
		}
		if e.man.SyncedRuns > len(e.man.Runs) {
			return fmt.Errorf("manifest %s: %d synced runs of %d", filepath.Join(e.dir, manifestName), e.man.SyncedRuns, len(e.man.Runs))
		}
	}
	// Runs written after the last Sync survive a process crash, not
	// necessarily an OS crash: if one is not whole, the state goes back
	// to the last Sync (the sorter reads the rest from Kafka again).
	torn := false
	for _, r := range e.man.Runs[e.man.SyncedRuns:] {
		if err := verifyRun(e.dir, r); err != nil {
			torn = true
			break
		}
	}
	if torn {
		e.man.Runs = e.man.Runs[:e.man.SyncedRuns]
		e.man.Meta = maps.Clone(e.man.SyncedMeta)
	}
	if e.opts.ReadOnly {
		return nil
	}
	listed := map[string]bool{}
	for _, r := range e.man.Runs {
		listed[filepath.Base(r.file(e.dir))] = true
	}
	entries, err := os.ReadDir(e.dir)
	if err != nil {
		return err
	}
	for _, de := range entries {
		name := de.Name()
		if (strings.HasSuffix(name, ".sst") && !listed[name]) || name == manifestTmp {
			if err := os.Remove(filepath.Join(e.dir, name)); err != nil {
				return err
			}
		}
	}
	if torn {
		e.man.markSynced()
		return e.saveManifest(true)
	}
	return nil
}

func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
