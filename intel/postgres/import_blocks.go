package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The initial load rebuilds the hotspot blocks of every tile and month it
// touched in one pass: the records, built by the database's own
// cm_hotspot_rec (migration 00100) and read through a cursor in tile,
// month and id order, are cut into chunks here and written back by COPY.
// It does what cm_hotspot_refresh (migration 00090) does for the same
// tiles and months, to the byte (TestImportInitialLoadMatchesNormal
// compares the blocks with the normal path's), without the window
// function and the two sorts of its aggregation: on a million events,
// about 5 s instead of 9.

// blockChunk is cm_hotspot_refresh's chunk size: a record goes into chunk
// (bytes of the records up to and including it in its tile and month, in
// id order, − 1) / blockChunk.
const blockChunk = 7000

// blockFetch is how many records a FETCH reads (about 2 MB).
const blockFetch = 20_000

// blockFlush is how many bytes of finished blocks are held before they are
// written.
const blockFlush = 4 << 20

// rebuildBlocks rebuilds the blocks of the tiles and months in imp_tm
// (tile bigint, month date). all is true when every event in the table is
// the batch's (the table was empty): then every block is rebuilt from a
// scan of the table, sorted, instead of finding the events through the
// index a tile and month at a time (a million random heap reads: 8.7 s
// against 4.3 s for a million events), and imp_tm is not needed.
func (b *batch) rebuildBlocks(ctx context.Context, all bool) error {
	t0 := time.Now()
	from := `imp_tm k
		   JOIN events e ON e.cm_tile = k.tile AND cm_hotspot_month(e.starts_at) = k.month
		    AND e.starts_at >= k.month::timestamp AT TIME ZONE 'UTC'
		    AND e.starts_at < (k.month + interval '1 month')::timestamp AT TIME ZONE 'UTC'`
	del := `DELETE FROM hotspot_blocks b USING imp_tm k WHERE b.tile = k.tile AND b.month = k.month`
	if all {
		from, del = `events e`, `DELETE FROM hotspot_blocks`
	}
	for _, q := range []string{
		// Writers take turns, as in cm_hotspot_refresh.
		`LOCK TABLE hotspot_blocks IN SHARE ROW EXCLUSIVE MODE`,
		del,
		`DECLARE imp_blocks NO SCROLL CURSOR FOR
		 SELECT e.cm_tile, cm_hotspot_month(e.starts_at),
		        cm_hotspot_rec(e.x, e.y, e.starts_at, e.ends_at, e.place_id, e.review_date, e.kind, e.category,
		                       e.severity, e.source_eval, e.intel_assessment, e.confirmed, e.district, e.young_people)
		   FROM ` + from + `
		  ORDER BY 1, 2, e.id`,
	} {
		if err := b.exec(ctx, q); err != nil {
			return err
		}
	}
	w := blockWriter{b: b}
	for {
		// Binary results: the tile as int8, the month as int4 days since
		// 2000-01-01, the record as bytes.
		rows, err := b.tx.Query(ctx, `FETCH `+itoa(blockFetch)+` FROM imp_blocks`, pgx.QueryResultFormats{pgx.BinaryFormatCode})
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
			raw := rows.RawValues()
			if len(raw) != 3 || len(raw[0]) != 8 || len(raw[1]) != 4 {
				rows.Close()
				return fmt.Errorf("hotspot record row of unexpected shape")
			}
			w.add(int64(binary.BigEndian.Uint64(raw[0])), int32(binary.BigEndian.Uint32(raw[1])), raw[2])
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if w.held >= blockFlush {
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
		if n < blockFetch {
			break
		}
	}
	w.finish()
	if err := w.flush(ctx); err != nil {
		return err
	}
	if err := b.exec(ctx, `CLOSE imp_blocks`); err != nil {
		return err
	}
	b.trace("rebuild the hotspot blocks of the tiles and months written (cursor, chunks in Go, COPY)", t0)
	return nil
}

// blockWriter cuts records, arriving in tile, month and id order, into
// chunks as cm_hotspot_refresh does, and writes them by COPY.
type blockWriter struct {
	b     *batch
	out   [][]any // finished chunks: tile, month, chunk, events, data
	held  int
	open  bool
	tile  int64
	month int32 // days since 2000-01-01
	sum   int64 // bytes of the tile and month's records so far
	chunk int32
	count int32
	data  []byte
}

func (w *blockWriter) add(tile int64, month int32, rec []byte) {
	if !w.open || tile != w.tile || month != w.month {
		w.finish()
		w.tile, w.month, w.sum, w.open = tile, month, 0, true
		w.chunk = -1
	}
	w.sum += int64(len(rec))
	if c := int32((w.sum - 1) / blockChunk); c != w.chunk {
		w.finish()
		w.chunk, w.count, w.data = c, 0, make([]byte, 0, blockChunk+len(rec))
	}
	w.count++
	w.data = append(w.data, rec...)
}

// finish ends the chunk being filled.
func (w *blockWriter) finish() {
	if w.count == 0 {
		return
	}
	month := pgEpoch.AddDate(0, 0, int(w.month))
	w.out = append(w.out, []any{w.tile, month, w.chunk, w.count, w.data})
	w.held += len(w.data)
	w.count, w.data = 0, nil
}

func (w *blockWriter) flush(ctx context.Context) error {
	if len(w.out) == 0 {
		return nil
	}
	_, err := w.b.tx.CopyFrom(ctx, pgx.Identifier{"hotspot_blocks"}, []string{"tile", "month", "chunk", "events", "data"}, pgx.CopyFromRows(w.out))
	w.out, w.held = w.out[:0], 0
	return err
}
