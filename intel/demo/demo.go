package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"
	_ "time/tzdata" // events are timed in Europe/London on any host

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/postgres"
)

// markerKey is the settings row that says the demo is loaded, holding the
// seed it was loaded with.
// DefaultSeed is the seed `make run` and `contextmap demo` use.
const DefaultSeed int64 = 42

const markerKey = "demo_seed"

// lockKey serialises concurrent loads (pg_advisory_xact_lock).
const lockKey = 0x636d64656d6f // "cmdemo"

// Summary counts what the demo holds.
type Summary struct {
	Districts, Places, Groups, Spaces, People, Links, Events int
	// AlreadyLoaded is true when the database held the demo before the
	// call, which then changed nothing; the counts are what it holds.
	AlreadyLoaded bool
}

var errAlreadyLoaded = errors.New("demo already loaded")

// Load fills an empty, migrated database with the synthetic Cumbria made
// from seed: the same seed gives the same content, row for row. When the
// demo is already there (the settings row demo_seed), Load changes nothing.
// It refuses a database that holds any other people, contexts, links,
// events or districts outside Cumbria: demo children must never mix with
// real ones. Districts are upserted first with db.LoadDistricts; everything
// else is written in one transaction, all or nothing.
func Load(ctx context.Context, db *postgres.DB, seed int64, log *slog.Logger) (Summary, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	began := time.Now()
	if loaded, err := markerSet(ctx, db.Pool); err != nil {
		return Summary{}, err
	} else if loaded {
		return existing(ctx, db, log)
	}
	if err := checkEmpty(ctx, db.Pool); err != nil {
		return Summary{}, err
	}
	w, err := build(seed, log)
	if err != nil {
		return Summary{}, err
	}
	built := time.Now()
	nd, err := db.LoadDistricts(ctx, districtsGeoJSON, "lad_code", "lad_name")
	if err != nil {
		return Summary{}, fmt.Errorf("load districts: %w", err)
	}
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockKey)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if loaded, err := markerSet(ctx, tx); err != nil {
			return err
		} else if loaded {
			return errAlreadyLoaded
		}
		if err := checkEmpty(ctx, tx); err != nil {
			return err
		}
		if err := w.write(ctx, tx, db.RefHash); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)`, markerKey, strconv.FormatInt(seed, 10))
		return err
	})
	if errors.Is(err, errAlreadyLoaded) {
		return existing(ctx, db, log)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("load demo: %w", err)
	}
	written := time.Now()
	// Fresh statistics, so the first queries plan well; the load stands
	// without them.
	if _, err := db.Pool.Exec(ctx, `ANALYZE places, people, person_statuses, person_categories, assessments,
		peer_groups, online_spaces, links, events, event_people, event_groups, nodes`); err != nil {
		log.Warn("demo: analyze after load failed", "err", err)
	}
	s := Summary{Districts: nd, Places: len(w.places), Groups: len(w.groups), Spaces: len(w.spaces),
		People: len(w.people), Links: len(w.links), Events: len(w.events)}
	log.Info("demo loaded", "seed", seed, "districts", s.Districts, "places", s.Places, "groups", s.Groups,
		"spaces", s.Spaces, "people", s.People, "links", s.Links, "events", s.Events,
		"generate", built.Sub(began).Round(time.Millisecond), "write", written.Sub(built).Round(time.Millisecond),
		"total", time.Since(began).Round(time.Millisecond))
	return s, nil
}

// build reads the embedded data and generates the whole demo in memory.
func build(seed int64, log *slog.Logger) (*world, error) {
	w := &world{seed: seed}
	var err error
	if w.districts, err = readAreas(districtsGeoJSON, "lad_code", "lad_name", "lad_code"); err != nil {
		return nil, fmt.Errorf("districts: %w", err)
	}
	for _, code := range districtCodes {
		if w.district(code) == nil {
			return nil, fmt.Errorf("districts: %s is missing", code)
		}
	}
	if w.lsoas, err = readLSOAs(); err != nil {
		return nil, err
	}
	stations, err := readStations()
	if err != nil {
		return nil, err
	}
	schools, skipped, err := readSchools()
	if err != nil {
		return nil, err
	}
	// Keep only what the database can place in a district: inside one, or
	// within its 100 m tolerance of the clipped coast.
	for _, s := range stations {
		if w.nearArea(s.lon, s.lat) && slices.Contains(districtCodes, s.district) {
			w.stations = append(w.stations, s)
		} else {
			log.Warn("demo: rail station outside the area left out", "station", s.name)
		}
	}
	for _, s := range schools {
		if w.nearArea(s.lon, s.lat) && slices.Contains(districtCodes, s.district) {
			w.schools = append(w.schools, s)
		} else {
			skipped = append(skipped, s.urn)
		}
	}
	if len(skipped) > 0 {
		log.Info("demo: schools geocoded outside the area left out", "urns", skipped)
	}
	if err := w.genPlaces(); err != nil {
		return nil, err
	}
	w.genContexts()
	if err := w.genPeople(); err != nil {
		return nil, err
	}
	w.genEvents()
	w.genLinks()
	return w, nil
}

// nearArea reports whether a point lies in a district or within 90 m of
// one (inside the database's 100 m tolerance, allowing for this package's
// approximate distances).
func (w *world) nearArea(lon, lat float64) bool {
	for i := range w.districts {
		if w.districts[i].distance(lon, lat) <= 90 {
			return true
		}
	}
	return false
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func markerSet(ctx context.Context, q querier) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM settings WHERE key = $1)`, markerKey).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check for the demo: %w", err)
	}
	return ok, nil
}

// checkEmpty refuses a database holding anything but Cumbria's districts.
func checkEmpty(ctx context.Context, q querier) error {
	var busy bool
	var others []string
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM nodes) OR EXISTS (SELECT 1 FROM links)
			OR EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM assessments),
		ARRAY(SELECT code FROM districts WHERE code <> ALL($1) ORDER BY code)`, districtCodes).Scan(&busy, &others)
	if err != nil {
		return fmt.Errorf("check the database is empty: %w", err)
	}
	if busy {
		return intel.Errorf(intel.ECONFLICT, "the database already holds data: the demo loads only into an empty database")
	}
	if len(others) > 0 {
		return intel.Errorf(intel.ECONFLICT, "the database holds districts of another area (%d): the demo loads only into an empty database", len(others))
	}
	return nil
}

// existing reports what an already loaded database holds.
func existing(ctx context.Context, db *postgres.DB, log *slog.Logger) (Summary, error) {
	s := Summary{AlreadyLoaded: true}
	var seed string
	err := db.Pool.QueryRow(ctx, `SELECT (SELECT value FROM settings WHERE key = $1),
		(SELECT count(*) FROM districts), (SELECT count(*) FROM places),
		(SELECT count(*) FROM peer_groups), (SELECT count(*) FROM online_spaces), (SELECT count(*) FROM people),
		(SELECT count(*) FROM links), (SELECT count(*) FROM events)`, markerKey).
		Scan(&seed, &s.Districts, &s.Places, &s.Groups, &s.Spaces, &s.People, &s.Links, &s.Events)
	if err != nil {
		return Summary{}, fmt.Errorf("count the demo: %w", err)
	}
	log.Info("demo already loaded: nothing changed", "seed", seed, "places", s.Places, "people", s.People, "events", s.Events)
	return s, nil
}
