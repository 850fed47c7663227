package postgres

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// eventDecoder reads the rows of a hotspot query straight from their
// binary wire form: a county-sized map reads some 100,000 rows, and
// pgx's general Scan (with an allocation per array) cost more than the
// rest of the row's handling. A column not in binary form falls back to
// Scan.
type eventDecoder struct {
	f      *HotspotFilter
	binary bool
	dest   []any
}

func newEventDecoder(f *HotspotFilter, fields []pgconn.FieldDescription) *eventDecoder {
	d := &eventDecoder{f: f, binary: true}
	for _, fd := range fields {
		if fd.Format != pgx.BinaryFormatCode {
			d.binary = false
		}
	}
	return d
}

// pgEpoch is the origin of PostgreSQL's binary timestamps.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func (d *eventDecoder) decode(rows pgx.Rows, e *HotspotEvent) error {
	if !d.binary {
		return d.scan(rows, e)
	}
	raw := rows.RawValues()
	k := 0
	next := func(size int) ([]byte, error) {
		if k >= len(raw) {
			return nil, fmt.Errorf("hotspot row has %d columns, more expected", len(raw))
		}
		v := raw[k]
		k++
		if size >= 0 && len(v) != size {
			return nil, fmt.Errorf("hotspot column %d: %d bytes, want %d", k, len(v), size)
		}
		return v, nil
	}
	f64 := func() (float64, error) {
		v, err := next(8)
		if err != nil {
			return 0, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(v)), nil
	}
	ts := func() (time.Time, error) {
		v, err := next(8)
		if err != nil {
			return time.Time{}, err
		}
		return pgEpoch.Add(time.Duration(int64(binary.BigEndian.Uint64(v))) * time.Microsecond), nil
	}
	boolean := func() (bool, error) {
		v, err := next(1)
		if err != nil {
			return false, err
		}
		return v[0] != 0, nil
	}
	var err error
	if e.X, err = f64(); err != nil {
		return err
	}
	if e.Y, err = f64(); err != nil {
		return err
	}
	if d.f.Times {
		if e.Start, err = ts(); err != nil {
			return err
		}
		if e.End, err = ts(); err != nil {
			return err
		}
	}
	if d.f.Severity {
		v, err := next(2)
		if err != nil {
			return err
		}
		e.Severity = int16(binary.BigEndian.Uint16(v))
	}
	if e.Generalise, err = boolean(); err != nil {
		return err
	}
	if e.Full, err = boolean(); err != nil {
		return err
	}
	e.YoungPeople = e.YoungPeople[:0]
	if d.f.People {
		v, err := next(-1)
		if err != nil {
			return err
		}
		if e.YoungPeople, err = appendInt8Array(e.YoungPeople, v); err != nil {
			return err
		}
	}
	return nil
}

// appendInt8Array decodes a one-dimensional bigint[] without nulls in
// PostgreSQL's binary array format: ndim, has-null flag, element type,
// then per dimension its length and lower bound, then each element as a
// 4-byte length and 8 bytes.
func appendInt8Array(dst []int64, v []byte) ([]int64, error) {
	if len(v) < 12 {
		return dst, fmt.Errorf("bigint[]: %d bytes", len(v))
	}
	ndim := binary.BigEndian.Uint32(v)
	if ndim == 0 {
		return dst, nil
	}
	if ndim != 1 || len(v) < 20 {
		return dst, fmt.Errorf("bigint[] of %d dimensions", ndim)
	}
	n := int(binary.BigEndian.Uint32(v[12:]))
	body := v[20:]
	if len(body) != n*12 {
		return dst, fmt.Errorf("bigint[] of %d elements in %d bytes", n, len(body))
	}
	for i := range n {
		el := body[i*12:]
		if int32(binary.BigEndian.Uint32(el)) != 8 {
			return dst, fmt.Errorf("bigint[] element %d is null or not 8 bytes", i)
		}
		dst = append(dst, int64(binary.BigEndian.Uint64(el[4:])))
	}
	return dst, nil
}

// scan is the general path, for columns sent as text.
func (d *eventDecoder) scan(rows pgx.Rows, e *HotspotEvent) error {
	d.dest = append(d.dest[:0], &e.X, &e.Y)
	if d.f.Times {
		d.dest = append(d.dest, &e.Start, &e.End)
	}
	if d.f.Severity {
		d.dest = append(d.dest, &e.Severity)
	}
	d.dest = append(d.dest, &e.Generalise, &e.Full)
	if d.f.People {
		d.dest = append(d.dest, &e.YoungPeople)
	}
	return rows.Scan(d.dest...)
}
