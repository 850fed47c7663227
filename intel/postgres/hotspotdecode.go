package postgres

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// eventDecoder reads the rows of longSQL from their binary wire form,
// falling back to Scan for a column not in binary form.
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

// Offsets and codes of a hotspot record (migration 00010,
// cm_hotspot_record).
const (
	recFixed       = 56 // bytes before the district's bytes
	recMaxKind     = 6
	recMaxCategory = 4
)

// recordKinds are the kind codes of cm_hotspot_record, by code.
var recordKinds = [...]string{1: "missing_episode", 2: "sighting", 3: "incident", 4: "intelligence_report",
	5: "return_home_interview", 6: "crime"}

var recordCategories = [...]string{1: "cse1", 2: "cse2", 3: "cse3", 4: "other"}

// blockDecoder filters the records of hotspot blocks exactly as longSQL
// filters rows, and gives what the caller may see of each.
type blockDecoder struct {
	f                        *HotspotFilter
	v                        *hotspotView
	kinds                    [recMaxKind + 1]bool
	cats                     [recMaxCategory + 1]bool
	anyCategory              bool
	from, to                 int64 // µs since 2000-01-01
	minSource, minAssessment uint16
	e                        HotspotEvent
}

func newBlockDecoder(f *HotspotFilter, v *hotspotView) *blockDecoder {
	d := &blockDecoder{f: f, v: v, anyCategory: len(f.Categories) == 0,
		from: f.From.Sub(pgEpoch).Microseconds(), to: f.To.Sub(pgEpoch).Microseconds(), minSource: 3, minAssessment: 5}
	for code, k := range recordKinds {
		if k != "" && slices.Contains(f.Kinds, k) {
			d.kinds[code] = true
		}
	}
	for code, c := range recordCategories {
		if c != "" && slices.Contains(f.Categories, c) {
			d.cats[code] = true
		}
	}
	if g := f.MinGrade; g != nil {
		d.minSource, d.minAssessment = uint16(g.Source-'0'), uint16(g.Assessment-'A'+1)
	}
	return d
}

// inScope reports whether a district is in the caller's scope.
func (v *hotspotView) inScope(district []byte) bool {
	if v.all {
		return true
	}
	for _, s := range v.scope {
		if string(district) == s {
			return true
		}
	}
	return false
}

func (v *hotspotView) inScopeString(district string) bool {
	return v.all || slices.Contains(v.scope, district)
}

// each calls fn for every record of a block that passes the filter.
func (d *blockDecoder) each(b []byte, fn func(*HotspotEvent) error) error {
	be := binary.BigEndian
	f, e := d.f, &d.e
	long := longWindow.Microseconds()
	for len(b) > 0 {
		if len(b) < recFixed {
			return fmt.Errorf("hotspot block: a record of %d bytes", len(b))
		}
		dl := int(be.Uint16(b[54:]))
		if len(b) < recFixed+dl+12 {
			return fmt.Errorf("hotspot block: record cut short")
		}
		people := b[recFixed+dl:]
		size := 12
		if be.Uint32(people) != 0 {
			if len(people) < 20 {
				return fmt.Errorf("hotspot block: record cut short")
			}
			size = 20 + 12*int(be.Uint32(people[12:]))
		}
		if len(people) < size {
			return fmt.Errorf("hotspot block: record cut short")
		}
		rec := b[:recFixed+dl+size]
		b = b[len(rec):]

		kind := be.Uint16(rec[44:])
		if int(kind) > recMaxKind || !d.kinds[kind] {
			continue
		}
		start, end := int64(be.Uint64(rec[16:])), int64(be.Uint64(rec[24:]))
		if start > d.to || end < d.from || end-start > long {
			continue
		}
		x, y := math.Float64frombits(be.Uint64(rec[0:])), math.Float64frombits(be.Uint64(rec[8:]))
		if x < f.Rect[0] || x > f.Rect[2] || y < f.Rect[1] || y > f.Rect[3] {
			continue
		}
		if review := int32(be.Uint32(rec[40:])); !f.IncludeReviewDue && review < d.v.today {
			continue
		}
		if cat := be.Uint16(rec[46:]); !d.anyCategory && (int(cat) > recMaxCategory || !d.cats[cat]) {
			continue
		}
		if g := be.Uint16(rec[50:]); g>>4 > d.minSource || g&15 > d.minAssessment {
			continue
		}
		if f.Confirmed && be.Uint16(rec[52:]) == 0 {
			continue
		}
		e.X, e.Y = x, y
		if f.Times {
			e.Start = pgEpoch.Add(time.Duration(start) * time.Microsecond)
			e.End = pgEpoch.Add(time.Duration(end) * time.Microsecond)
		}
		if f.Severity {
			e.Severity = int16(be.Uint16(rec[48:]))
		}
		district := rec[recFixed : recFixed+dl]
		e.Full = d.v.inScope(district)
		e.Generalise = false
		if !d.v.all {
			if pd, ok := d.v.sensitive[int64(be.Uint64(rec[32:]))]; ok {
				e.Generalise = !d.v.inScopeString(pd)
			}
		}
		e.YoungPeople = e.YoungPeople[:0]
		if f.People {
			var err error
			if e.YoungPeople, err = appendInt8Array(e.YoungPeople, people[:size]); err != nil {
				return fmt.Errorf("hotspot block: %w", err)
			}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
