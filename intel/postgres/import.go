package postgres

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/ingest"
)

// ImportOptions shape one import.
type ImportOptions struct {
	// DryRun validates everything, against the database too, and writes
	// nothing: the batch's transaction is rolled back.
	DryRun bool
	// BatchRows makes every so many rows of input its own all-or-nothing
	// batch; 0 makes the whole file one batch.
	BatchRows int
	// MaxErrors caps the bad rows listed (all are counted); default 10,000.
	MaxErrors int
	// Progress, when set, is called after each chunk of input is staged and
	// at each step of writing.
	Progress func(p ImportProgress)
	// Mode chooses between the normal and the initial-load path for
	// events (ImportMode); "" is ImportAuto.
	Mode ImportMode
	// Trace, when set, hears every statement of the write step and how
	// long it took (for benchmarks).
	Trace func(stmt string, took time.Duration)
}

// ImportProgress says how far an import has gone.
type ImportProgress struct {
	Rows  int64  // rows read
	Bytes int64  // input bytes read
	Step  string // "staging", then what is being written
}

// ImportCount counts one record type's outcome.
type ImportCount struct {
	Inserted  int64 `json:"inserted"`
	Updated   int64 `json:"updated"`
	Unchanged int64 `json:"unchanged"`
}

// ImportResult is what an import did (or, dry, would do).
type ImportResult struct {
	DryRun       bool                    `json:"dry_run"`
	Rows         int64                   `json:"rows"`
	Batches      int                     `json:"batches"`
	Committed    int                     `json:"batches_committed"`
	Counts       map[string]*ImportCount `json:"counts"`
	Skipped      []intel.FieldError      `json:"skipped,omitempty"`
	SkippedTotal int                     `json:"skipped_total"`
	Errors       []intel.FieldError      `json:"errors,omitempty"`
	ErrorTotal   int                     `json:"error_total"`
	// InitialLoads counts the batches whose events took the initial-load
	// path (ImportInitial).
	InitialLoads int `json:"initial_load_batches"`
	// PersonIDs are the people written or whose links, events, statuses or
	// assessments were written, for the audit record.
	PersonIDs []int64 `json:"-"`
}

func (r *ImportResult) count(typ string) *ImportCount {
	c, ok := r.Counts[typ]
	if !ok {
		c = &ImportCount{}
		r.Counts[typ] = c
	}
	return c
}

// addError records a bad row, listing it while under the cap.
func (r *ImportResult) addError(max int, fe intel.FieldError) {
	r.ErrorTotal++
	if len(r.Errors) < max {
		r.Errors = append(r.Errors, fe)
	}
}

// importLock serialises imports: two at once could both insert a person
// the other is about to insert.
const importLock = 0x636d696d // "cmim"

// Import reads rd to the end and writes its records in all-or-nothing
// batches: a batch with any bad row writes nothing, and every bad row is
// reported with its line, field and reason. Records are matched by key
// (docs/IMPORT.md): an unchanged record is not touched, a changed one is
// updated in place. The caller's role and district scope apply as in the
// API. The error, when batches failed, is EINVALID listing the bad rows;
// the result is filled either way.
func (db *DB) Import(ctx context.Context, pr intel.Principal, rd ingest.Reader, opt ImportOptions) (ImportResult, error) {
	defer rd.Close()
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = 10_000
	}
	res := ImportResult{DryRun: opt.DryRun, Counts: map[string]*ImportCount{}}
	if !pr.CanWrite() {
		return res, intel.Errorf(intel.EFORBIDDEN, "your role may not import")
	}
	conn, done, err := db.importConn(ctx)
	if err != nil {
		return res, wrap(err, "import")
	}
	defer done()
	people := map[int64]bool{}
	var pending *ingest.Chunk
	eof := false
	for !eof {
		b := &batch{db: db, pr: pr, opt: opt, res: &res}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			b.tx = tx
			if err := b.begin(ctx); err != nil {
				return err
			}
			var err error
			pending, eof, err = b.stage(ctx, rd, pending)
			if err != nil {
				return err
			}
			if b.rows == 0 && eof {
				return errRollback
			}
			res.Batches++
			if err := b.write(ctx); err != nil {
				return err
			}
			if b.bad || opt.DryRun {
				return errRollback
			}
			return nil
		})
		switch {
		case errors.Is(err, errRollback):
		case err != nil:
			var ie *intel.Error
			if errors.As(err, &ie) && ie.Code == intel.EINVALID {
				// A file-level problem (unreadable input): report it as a
				// bad row and stop.
				for _, f := range ie.Fields {
					res.addError(opt.MaxErrors, f)
				}
				if len(ie.Fields) == 0 {
					res.addError(opt.MaxErrors, intel.FieldError{Field: "file", Reason: ie.Message})
				}
				return res, importError(&res)
			}
			return res, wrap(err, "import")
		default:
			res.Committed++
			for _, id := range b.people {
				people[id] = true
			}
			b.commitCounts()
		}
		if opt.DryRun && !b.bad {
			b.commitCounts() // what would have been written; no one was
		}
	}
	for id := range people {
		res.PersonIDs = append(res.PersonIDs, id)
	}
	slices.Sort(res.PersonIDs)
	sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].Line < res.Errors[j].Line })
	if res.ErrorTotal > 0 {
		return res, importError(&res)
	}
	return res, nil
}

var errRollback = errors.New("rollback")

// importTempBuffers is the memory an import's session may keep its
// staging tables in (temp_buffers; PostgreSQL's default is 8 MB). A
// million events stage about 400 MB; past the limit they spill to disk.
// Measured on 1,000,000 staged rows: the COPY, index, ANALYZE and every
// scan of them 15–50% faster than at 8 MB.
const importTempBuffers = "1GB"

// importConn opens a connection of the import's own: temp_buffers can only
// be raised before a session first uses a temporary table, and a pooled
// session would keep that memory after the import. It is taken only as
// needed and returned when the connection closes. Imports take turns
// anyway (importLock), so one at a time opens its connection: many
// imports sent at once wait for their turn here (until their context
// ends) instead of each holding a connection of the database's.
func (db *DB) importConn(ctx context.Context) (*pgx.Conn, func(), error) {
	db.importOnce.Do(func() { db.importTurn = make(chan struct{}, 1) })
	select {
	case db.importTurn <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	cfg := db.Pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["temp_buffers"] = importTempBuffers
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		<-db.importTurn
		return nil, nil, err
	}
	return conn, func() {
		conn.Close(context.WithoutCancel(ctx))
		<-db.importTurn
	}, nil
}

func importError(res *ImportResult) error {
	msg := fmt.Sprintf("%d problems in the file: nothing of a batch with a bad row was written", res.ErrorTotal)
	if res.ErrorTotal == 1 {
		msg = "1 problem in the file: nothing of its batch was written"
	}
	if res.ErrorTotal > len(res.Errors) {
		msg += fmt.Sprintf(" (the first %d are listed)", len(res.Errors))
	}
	if res.Batches > 1 {
		msg += fmt.Sprintf("; %d of %d batches were written", res.Committed, res.Batches)
	}
	return &intel.Error{Code: intel.EINVALID, Message: msg, Fields: res.Errors}
}

// batch is one all-or-nothing transaction of an import.
type batch struct {
	db     *DB
	pr     intel.Principal
	opt    ImportOptions
	res    *ImportResult
	tx     pgx.Tx
	rows   int64
	good   map[string]int64 // staged rows by type
	counts map[string]*ImportCount
	bad    bool
	people []int64
	seq    int32
	// dist finds the districts of events' own points.
	dist *geo.AreaIndex
	// refHashes keeps case references' hashes (personKey).
	refHashes map[string][]byte
}

func (b *batch) commitCounts() {
	for t, c := range b.counts {
		rc := b.res.count(t)
		rc.Inserted += c.Inserted
		rc.Updated += c.Updated
		rc.Unchanged += c.Unchanged
	}
	b.counts = nil
}

func (b *batch) progress(step string) {
	if b.opt.Progress != nil {
		b.opt.Progress(ImportProgress{Rows: b.res.Rows, Step: step})
	}
}

func (b *batch) fail(fe intel.FieldError) {
	b.bad = true
	b.res.addError(b.opt.MaxErrors, fe)
}

// The staging table's columns that COPY fills, in order: a row is a
// []any indexed by these.
const (
	scSeq = iota
	scLine
	scRtype
	scKey
	scRefHash
	scPseudonym
	scKind
	scName
	scDescription
	scSensitive
	scUrn
	scGeojson
	scLon
	scLat
	scDistrict
	scPlatform
	scAgeBand
	scStatuses
	scCategories
	scSrcType
	scSrcHash
	scSrcRef
	scDstType
	scDstHash
	scDstRef
	scGrade
	scLegacyGrade
	scConfirmed
	scAgency
	scFirstSeen
	scLastSeen
	scReviewDate
	scCompletedOn
	scNextReview
	scNature
	scStrength
	scRecordedBy
	scStartsAt
	scEndsAt
	scFoundAt
	scRhiAt
	scPlaceRef
	scFoundRef
	scCategory
	scSeverity
	scCrimeType
	scLayer
	scPeopleHash
	scPeopleRef
	scGroupRefs
	scValue
	scPtDistrict
	stageWidth
)

// stageColumns names them.
var stageColumns = []string{
	scSeq:         "seq",
	scLine:        "line",
	scRtype:       "rtype",
	scKey:         "key",
	scRefHash:     "ref_hash",
	scPseudonym:   "pseudonym",
	scKind:        "kind",
	scName:        "name",
	scDescription: "description",
	scSensitive:   "sensitive",
	scUrn:         "urn",
	scGeojson:     "geojson",
	scLon:         "lon",
	scLat:         "lat",
	scDistrict:    "district",
	scPlatform:    "platform",
	scAgeBand:     "age_band",
	scStatuses:    "statuses",
	scCategories:  "categories",
	scSrcType:     "src_type",
	scSrcHash:     "src_hash",
	scSrcRef:      "src_ref",
	scDstType:     "dst_type",
	scDstHash:     "dst_hash",
	scDstRef:      "dst_ref",
	scGrade:       "grade",
	scLegacyGrade: "legacy_grade",
	scConfirmed:   "confirmed",
	scAgency:      "agency",
	scFirstSeen:   "first_seen",
	scLastSeen:    "last_seen",
	scReviewDate:  "review_date",
	scCompletedOn: "completed_on",
	scNextReview:  "next_review",
	scNature:      "nature",
	scStrength:    "strength",
	scRecordedBy:  "recorded_by",
	scStartsAt:    "starts_at",
	scEndsAt:      "ends_at",
	scFoundAt:     "found_at",
	scRhiAt:       "rhi_at",
	scPlaceRef:    "place_ref",
	scFoundRef:    "found_ref",
	scCategory:    "category",
	scSeverity:    "severity",
	scCrimeType:   "crime_type",
	scLayer:       "layer",
	scPeopleHash:  "people_hash",
	scPeopleRef:   "people_ref",
	scGroupRefs:   "group_refs",
	scValue:       "value",
	scPtDistrict:  "pt_district",
}

const stageTable = `CREATE TEMP TABLE imp (
	seq int NOT NULL, line int NOT NULL, rtype text NOT NULL, key text, ref_hash bytea, pseudonym text, kind text, name text,
	description text, sensitive boolean, urn text, geojson text, lon float8, lat float8, district text,
	platform text, age_band text, statuses jsonb, categories jsonb,
	src_type text, src_hash bytea, src_ref text, dst_type text, dst_hash bytea, dst_ref text,
	grade text, legacy_grade text, confirmed boolean, agency text,
	first_seen date, last_seen date, review_date date, completed_on date, next_review date,
	nature text, strength smallint, recorded_by text,
	starts_at timestamptz, ends_at timestamptz, found_at timestamptz, rhi_at timestamptz,
	place_ref text, found_ref text, category text, severity smallint, crime_type text, layer text,
	people_hash bytea[], people_ref text[], group_refs text[], value text,
	-- an event's district found from its own point in Go (import_districts.go):
	-- '' in none, NULL when the database's rule must decide
	pt_district text,
	bad boolean NOT NULL DEFAULT false, node_id bigint, src_id bigint
) ON COMMIT DROP`

func (b *batch) begin(ctx context.Context) error {
	b.good = map[string]int64{}
	b.counts = map[string]*ImportCount{}
	for _, q := range []string{
		`SELECT pg_advisory_xact_lock(` + itoa(importLock) + `)`,
		// A big file takes longer than the pool's per-statement limit; the
		// caller's context still bounds it.
		`SET LOCAL statement_timeout = 0`,
		// The staging tables' large row estimates tempt the planner into
		// JIT compiling, which costs seconds and saves nothing here.
		`SET LOCAL jit = off`,
		// Sorts, hashes and the staging table's indexes over a million rows
		// stay in memory.
		`SET LOCAL work_mem = '256MB'`,
		`SET LOCAL maintenance_work_mem = '512MB'`,
		stageTable,
		`CREATE TEMP TABLE imp_done (t text NOT NULL, id bigint NOT NULL, ins boolean NOT NULL) ON COMMIT DROP`,
		`CREATE TEMP TABLE imp_who (person_id bigint NOT NULL) ON COMMIT DROP`,
		`CREATE TEMP TABLE imp_err (seq int NOT NULL, line int NOT NULL, field text NOT NULL, reason text NOT NULL) ON COMMIT DROP`,
	} {
		if _, err := b.tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	var err error
	b.dist, err = b.districts(ctx)
	return err
}

// stage copies records into the staging table until the batch is full or
// the input ends. It returns a chunk read past the batch's end, to begin
// the next batch with.
func (b *batch) stage(ctx context.Context, rd ingest.Reader, pending *ingest.Chunk) (*ingest.Chunk, bool, error) {
	src := &copySource{b: b, rd: rd}
	if pending != nil {
		src.feed(pending)
	}
	_, err := b.tx.CopyFrom(ctx, pgx.Identifier{"imp"}, stageColumns, src)
	if err == nil {
		err = src.err
	}
	if err != nil {
		var ie *intel.Error
		if errors.As(err, &ie) {
			return nil, true, err
		}
		if src.readErr != nil {
			return nil, true, intel.Invalid("file", src.readErr.Error())
		}
		return nil, true, err
	}
	// Each record type is read on its own, mostly few rows beside many
	// events: an index finds them without scanning the rest.
	for _, q := range []string{`CREATE INDEX ON imp (seq)`, `CREATE INDEX ON imp (rtype)`, `ANALYZE imp`} {
		if _, err := b.tx.Exec(ctx, q); err != nil {
			return nil, true, err
		}
	}
	return src.next, src.eof, nil
}

// copySource feeds COPY from the reader's chunks.
type copySource struct {
	b       *batch
	rd      ingest.Reader
	chunk   *ingest.Chunk
	i       int
	row     []any
	err     error
	readErr error
	eof     bool
	full    bool          // the batch has its rows
	next    *ingest.Chunk // read past the batch's end
}

func (s *copySource) take(c *ingest.Chunk) {
	s.chunk, s.i = c, 0
	s.b.rows += int64(c.Records())
	s.b.res.Rows += int64(c.Rows)
	for _, fe := range c.Errors {
		s.b.fail(fe)
	}
	for _, fe := range c.Skipped {
		s.b.res.SkippedTotal++
		if len(s.b.res.Skipped) < s.b.opt.MaxErrors {
			s.b.res.Skipped = append(s.b.res.Skipped, fe)
		}
	}
	if s.b.opt.Progress != nil {
		s.b.opt.Progress(ImportProgress{Rows: s.b.res.Rows, Bytes: c.Bytes, Step: "staging"})
	}
}

func (s *copySource) Next() bool {
	for {
		if s.chunk != nil && s.i < len(s.chunk.Items) {
			it := s.chunk.Items[s.i]
			s.i++
			row, err := s.b.stageRow(it)
			if err != nil {
				s.err = err
				return false
			}
			s.row = row
			return true
		}
		if s.eof || s.full {
			return false
		}
		c, err := s.rd.Next()
		if errors.Is(err, io.EOF) {
			s.eof = true
			s.chunk = nil
			return false
		}
		if err != nil {
			s.readErr = err
			s.eof = true
			var ie *intel.Error
			if errors.As(err, &ie) {
				s.err = err
			}
			return false
		}
		s.feed(c)
	}
}

// feed takes a chunk into the batch, or its head when the batch fills up
// in it, keeping the tail for the next batch.
func (s *copySource) feed(c *ingest.Chunk) {
	if max := s.b.opt.BatchRows; max > 0 {
		if n := c.Records(); s.b.rows+int64(n) >= int64(max) {
			head, tail := c.Split(max - int(s.b.rows))
			s.next, s.full = tail, true
			c = head
		}
	}
	s.take(c)
}

func (s *copySource) Values() ([]any, error) { return s.row, nil }
func (s *copySource) Err() error {
	if s.readErr != nil {
		return s.readErr
	}
	return s.err
}

// personKey splits a person reference into the keyed hash of a case
// reference or a pseudonym. The hashes of up to refHashKept references are
// kept for the batch: a file names the same people again and again (1.3
// million mentions of 20,000 people in the benchmark's million events),
// and an HMAC each time cost a second of the staging goroutine.
func (b *batch) personKey(ref string) ([]byte, *string) {
	if p, ok := strings.CutPrefix(ref, ingest.PseudonymPrefix); ok {
		return nil, &p
	}
	if h, ok := b.refHashes[ref]; ok {
		return h, nil
	}
	h := b.db.RefHash(ref)
	if b.refHashes == nil {
		b.refHashes = map[string][]byte{}
	}
	if len(b.refHashes) < refHashKept {
		b.refHashes[ref] = h
	}
	return h, nil
}

// refHashKept bounds the case-reference hashes a batch keeps (a few MB).
const refHashKept = 100_000

func dateVal(d *intel.Date) any {
	if d == nil {
		return nil
	}
	return d.Time
}

// stageRow turns a record into its staging row.
func (b *batch) stageRow(it ingest.Item) ([]any, error) {
	v := make([]any, stageWidth)
	b.seq++
	v[scSeq] = b.seq
	v[scLine] = int32(it.Line)
	typ := ""
	switch r := it.Record.(type) {
	case *ingest.Person:
		typ = ingest.TypePerson
		var h []byte
		switch {
		case r.CaseRef != nil:
			h = b.db.RefHash(*r.CaseRef)
		case r.CaseRefHash != nil:
			h, _ = hex.DecodeString(*r.CaseRefHash)
		}
		if h != nil {
			v[scKey] = "h:" + hex.EncodeToString(h)
			v[scRefHash] = h
		} else {
			v[scKey] = "p:" + r.Pseudonym
		}
		v[scPseudonym] = r.Pseudonym
		v[scKind] = r.Kind
		v[scAgeBand] = r.AgeBand
		v[scDistrict] = r.District
		if r.Statuses != nil {
			ps := slices.Clone(*r.Statuses)
			sort.Slice(ps, func(i, j int) bool { return ps[i].From.Before(ps[j].From.Time) })
			v[scStatuses] = historyJSON(len(ps), func(i int) (string, string, intel.Period) { return "status", ps[i].Status, ps[i].Period })
		}
		if r.Categories != nil {
			cs := slices.Clone(*r.Categories)
			sort.Slice(cs, func(i, j int) bool { return cs[i].From.Before(cs[j].From.Time) })
			v[scCategories] = historyJSON(len(cs), func(i int) (string, string, intel.Period) { return "category", cs[i].Category, cs[i].Period })
		}
	case *ingest.Place:
		typ = ingest.TypePlace
		v[scKey] = r.ExtRef
		v[scName] = r.Name
		v[scKind] = r.Kind
		v[scSensitive] = r.Sensitive
		v[scUrn] = r.URN
		v[scGeojson] = string(r.Geometry)
		v[scDistrict] = r.District
	case *ingest.Group:
		typ = ingest.TypeGroup
		v[scKey] = r.ExtRef
		v[scName] = r.Name
		v[scDescription] = r.Description
		v[scDistrict] = r.District
	case *ingest.Space:
		typ = ingest.TypeSpace
		v[scKey] = r.ExtRef
		v[scName] = r.Name
		v[scPlatform] = r.Platform
		v[scKind] = r.Kind
		v[scDistrict] = r.District
	case *ingest.Link:
		typ = ingest.TypeLink
		v[scKey] = r.ExtRef
		v[scKind] = r.Kind
		v[scSrcType] = r.SourceType
		v[scDstType] = r.TargetType
		b.endRef(v, scSrcHash, scSrcRef, r.SourceType, r.SourceRef)
		b.endRef(v, scDstHash, scDstRef, r.TargetType, r.TargetRef)
		v[scGrade] = *r.Grade
		v[scLegacyGrade] = r.LegacyGrade
		v[scConfirmed] = r.Confirmed
		v[scAgency] = r.SourceAgency
		v[scFirstSeen] = dateVal(r.FirstSeen)
		v[scLastSeen] = dateVal(r.LastSeen)
		v[scReviewDate] = dateVal(r.ReviewDate)
		v[scNature] = r.Nature
		v[scStrength] = r.Strength
		v[scRecordedBy] = r.RecordedBy
	case *ingest.Event:
		typ = ingest.TypeEvent
		v[scKey] = r.ExtRef
		v[scKind] = r.Kind
		v[scStartsAt] = *r.From
		v[scEndsAt] = *r.To
		v[scPlaceRef] = r.Place
		if r.Point != nil {
			v[scLon] = r.Point[0]
			v[scLat] = r.Point[1]
			if d, known := b.dist.Locate(orb.Point{r.Point[0], r.Point[1]}); known {
				v[scPtDistrict] = d
			}
		}
		v[scCategory] = r.Category
		v[scSeverity] = r.Severity
		v[scGrade] = *r.Grade
		v[scLegacyGrade] = r.LegacyGrade
		v[scConfirmed] = r.Confirmed
		v[scAgency] = r.SourceAgency
		v[scReviewDate] = dateVal(r.ReviewDate)
		if len(r.People) > 0 {
			hs := make([][]byte, len(r.People))
			ps := make([]*string, len(r.People))
			for i, p := range r.People {
				hs[i], ps[i] = b.personKey(p)
			}
			v[scPeopleHash] = hs
			v[scPeopleRef] = ps
		}
		if len(r.Groups) > 0 {
			v[scGroupRefs] = r.Groups
		}
		v[scFoundRef] = r.FoundPlace
		v[scFoundAt] = r.FoundAt
		v[scRhiAt] = r.RHIAt
		v[scCrimeType] = r.CrimeType
		v[scLayer] = *r.Layer
	case *ingest.Assessment:
		typ = ingest.TypeAssessment
		v[scKey] = r.ExtRef
		b.endRef(v, scSrcHash, scSrcRef, intel.NodePerson, r.Person)
		v[scKind] = r.Kind
		v[scCompletedOn] = dateVal(r.CompletedOn)
		v[scCategory] = r.RiskLevel // the risk level rides in category
		v[scNextReview] = dateVal(r.NextReview)
		v[scAgency] = r.Agency
	case *ingest.StatusChange:
		typ = ingest.TypeStatus
		b.endRef(v, scSrcHash, scSrcRef, intel.NodePerson, r.Person)
		if r.Status != nil {
			v[scKind] = "status"
			v[scValue] = *r.Status
		} else {
			v[scKind] = "category"
			v[scValue] = *r.Category
		}
		v[scFirstSeen] = dateVal(r.From)
	default:
		return nil, fmt.Errorf("import: unknown record %T", it.Record)
	}
	v[scRtype] = typ
	b.good[typ]++
	return v, nil
}

// endRef sets the staging columns of a reference to a node: hashCol
// and refCol are scSrcHash and scSrcRef or scDstHash and scDstRef.
func (b *batch) endRef(v []any, hashCol, refCol int, typ, ref string) {
	if typ == intel.NodePerson {
		h, p := b.personKey(ref)
		if h != nil {
			v[hashCol] = h
		} else {
			v[refCol] = *p
		}
		return
	}
	v[refCol] = ref
}

// historyJSON writes a history as the database will compare it.
func historyJSON(n int, get func(int) (string, string, intel.Period)) string {
	out := make([]map[string]any, n)
	for i := range n {
		name, code, p := get(i)
		out[i] = map[string]any{name: code, "from": p.From, "to": p.To}
	}
	b, _ := json.Marshal(out)
	return string(b)
}
