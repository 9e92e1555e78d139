package dumpgen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// outFile is one output file: a buffered writer over an optional
// compressor over the file.
type outFile struct {
	f    *os.File
	comp io.WriteCloser
	w    *bufio.Writer
}

func createFile(path string, c Compression) (*outFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	o := &outFile{f: f}
	var dst io.Writer = f
	switch c {
	case CompressGzip:
		// BestSpeed keeps generation fast; the header has no name or
		// time, so the bytes are the same on every run.
		zw, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("gzip %s: %w", path, err)
		}
		o.comp, dst = zw, zw
	case CompressZstd:
		// One encoder goroutine: bounded memory and output that does not
		// depend on scheduling.
		zw, err := zstd.NewWriter(f, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedFastest))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("zstd %s: %w", path, err)
		}
		o.comp, dst = zw, zw
	}
	o.w = bufio.NewWriterSize(dst, 256<<10)
	return o, nil
}

// close flushes and closes the file and returns its size on disk.
func (o *outFile) close() (int64, error) {
	err := o.w.Flush()
	if o.comp != nil {
		if cerr := o.comp.Close(); err == nil {
			err = cerr
		}
	}
	var size int64
	if err == nil {
		var st os.FileInfo
		if st, err = o.f.Stat(); err == nil {
			size = st.Size()
		}
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", o.f.Name(), err)
	}
	return size, nil
}

// writeWhole writes a small file (schema, metadata) in one go.
func writeWhole(path string, c Compression, text string) error {
	o, err := createFile(path+c.suffix(), c)
	if err != nil {
		return err
	}
	_, werr := o.w.WriteString(text)
	_, cerr := o.close()
	if werr != nil {
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return cerr
}

// tableWriter streams one table's rows into data files, rotating files at
// the file size and closing INSERT statements at the statement size.
type tableWriter struct {
	cfg    *Config
	def    *tableDef
	res    *TableResult
	file   *outFile
	index  int   // number of the next data file
	inFile int64 // bytes in the current file, counting each row's terminator
	inStmt int64 // bytes in the open INSERT statement, 0 when none is open
	rows   int64 // rows in the current file
	header []byte
	line   []byte
}

// writeTable writes rows of def until the next row would take the data
// files past share bytes.
func writeTable(ctx context.Context, cfg *Config, def *tableDef, share int64, seed [2]uint64) (TableResult, error) {
	tw := &tableWriter{cfg: cfg, def: def, res: &TableResult{Name: def.name}}
	if cfg.Format == FormatSQL {
		tw.header = []byte(setNames)
	} else {
		tw.header = csvHeader(def.columns)
	}
	prefix := insertPrefix(def.name)
	rng := rand.New(rand.NewPCG(seed[0], seed[1]))
	src := def.newSource(rng, max(share/def.avgRow, 1))
	var r row
	sql := cfg.Format == FormatSQL
	// Each row is counted with the 2 bytes (",\n" or ";\n") or the CSV
	// terminator that will follow it.
	term := int64(len(csvTerminator))
	if sql {
		term = int64(len(rowSeparator))
	}
	for {
		if tw.res.Rows&1023 == 0 {
			if err := ctx.Err(); err != nil {
				tw.abort()
				return *tw.res, err
			}
		}
		r.reset()
		src.next(&r)
		tw.line = tw.line[:0]
		if sql {
			tw.line = appendSQLTuple(tw.line, &r)
		} else {
			tw.line = appendCSVRecord(tw.line, &r)
		}
		need := int64(len(tw.line)) + term
		rotate := tw.file != nil && tw.rows > 0 && tw.inFile+need+tw.stmtCost(prefix) > cfg.FileSize
		if tw.file == nil || rotate {
			need += int64(len(tw.header))
			if sql {
				need += int64(len(prefix))
			}
		} else {
			need += tw.stmtCost(prefix)
		}
		if tw.res.Bytes+need > share {
			break
		}
		if rotate {
			if err := tw.closeFile(); err != nil {
				return *tw.res, err
			}
		}
		if err := tw.add(prefix, need); err != nil {
			tw.abort()
			return *tw.res, err
		}
	}
	if tw.file != nil {
		if err := tw.closeFile(); err != nil {
			return *tw.res, err
		}
	}
	return *tw.res, nil
}

// stmtCost is the prefix a row in the current file needs: an INSERT
// prefix when no statement is open (SQL only).
func (tw *tableWriter) stmtCost(prefix string) int64 {
	if tw.cfg.Format == FormatSQL && tw.inStmt == 0 {
		return int64(len(prefix))
	}
	return 0
}

// add writes tw.line, whose cost in bytes (with any file header and
// statement prefix it opens) is need.
func (tw *tableWriter) add(prefix string, need int64) error {
	if tw.file == nil {
		name := fmt.Sprintf("%s.%s.%09d%s", tw.cfg.DB, tw.def.name, tw.index, tw.cfg.Format.ext())
		f, err := createFile(filepath.Join(tw.cfg.Dir, name+tw.cfg.Compress.suffix()), tw.cfg.Compress)
		if err != nil {
			return err
		}
		tw.file, tw.index, tw.inFile, tw.rows, tw.inStmt = f, tw.index+1, 0, 0, 0
		tw.res.Files++
		tw.file.w.Write(tw.header)
	}
	// bufio.Writer keeps its first error; checking after the row is enough.
	w := tw.file.w
	if tw.cfg.Format == FormatSQL {
		if tw.inStmt == 0 {
			w.WriteString(prefix)
			tw.inStmt = int64(len(prefix))
		} else {
			w.WriteString(rowSeparator)
		}
		w.Write(tw.line)
		tw.inStmt += int64(len(tw.line)) + int64(len(rowSeparator))
		// Dumpling closes a statement once it reaches the statement size
		// (export/writer_util.go ShouldSwitchStatement).
		if tw.inStmt >= tw.cfg.StatementSize {
			w.WriteString(statementEnd)
			tw.inStmt = 0
		}
	} else {
		w.Write(tw.line)
		w.WriteString(csvTerminator)
	}
	if _, err := w.Write(nil); err != nil {
		return fmt.Errorf("write %s: %w", tw.file.f.Name(), err)
	}
	tw.inFile += need
	tw.rows++
	tw.res.Rows++
	tw.res.Bytes += need
	return nil
}

func (tw *tableWriter) closeFile() error {
	if tw.cfg.Format == FormatSQL && tw.inStmt > 0 {
		tw.file.w.WriteString(statementEnd)
	}
	size, err := tw.file.close()
	tw.file = nil
	tw.inStmt = 0
	tw.res.DiskBytes += size
	return err
}

func (tw *tableWriter) abort() {
	if tw.file != nil {
		tw.file.close()
		tw.file = nil
	}
}
