package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/contextmap/contextmap/intel"
)

// IdentifierHash is the keyed hash under which a phone or handle is
// stored: HMAC-SHA256 under the reference key of the kind, platform and
// normalised value, so the value can be matched but never read back.
func (db *DB) IdentifierHash(kind string, platform *string, value string) []byte {
	norm, _ := intel.NormaliseIdentifier(kind, value)
	p := ""
	if platform != nil && kind == "social_handle" {
		p = *platform
	}
	m := hmac.New(sha256.New, db.RefKey)
	m.Write([]byte("identifier\x00" + kind + "\x00" + p + "\x00" + norm))
	return m.Sum(nil)
}

const identifierCols = `i.id, i.person_id, i.kind, i.platform, i.description, i.hash, i.recorded_on, i.recorded_by, i.created_at`

func scanIdentifier(row pgx.Row) (intel.Identifier, error) {
	var i intel.Identifier
	var h []byte
	err := row.Scan(&i.ID, &i.PersonID, &i.Kind, &i.Platform, &i.Description, &h, &i.RecordedOn.Time, &i.RecordedBy, &i.CreatedAt)
	if len(h) >= 4 {
		i.Fingerprint = hex.EncodeToString(h[:4])
	}
	return i, err
}

// personVisible checks a person exists, is in the caller's scope and, if
// an adult of concern, that the caller sees adults; it returns the kind.
func personVisible(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, pr intel.Principal, id int64) (string, error) {
	var kind string
	err := q.QueryRow(ctx, `SELECT kind FROM people WHERE id = $1 AND ($2::text[] IS NULL OR district = ANY($2))
		AND ($3 OR kind <> 'adult_of_concern')`, id, pr.Scope(), pr.SeesAdults()).Scan(&kind)
	if err == pgx.ErrNoRows {
		return "", intel.NotFound("person")
	}
	return kind, err
}

// ListIdentifiers lists a person's phones and handles (descriptions and
// fingerprints).
func (db *DB) ListIdentifiers(ctx context.Context, pr intel.Principal, personID int64) ([]intel.Identifier, error) {
	if _, err := personVisible(ctx, db.Pool, pr, personID); err != nil {
		return nil, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+identifierCols+` FROM person_identifiers i WHERE i.person_id = $1 ORDER BY i.id`, personID)
	if err != nil {
		return nil, wrap(err, "identifiers")
	}
	return collect(rows, scanIdentifier, "identifiers")
}

// CreateIdentifier records a phone or handle of a person as a keyed hash.
func (db *DB) CreateIdentifier(ctx context.Context, pr intel.Principal, personID int64, in intel.IdentifierInput) (intel.Identifier, error) {
	if _, err := personVisible(ctx, db.Pool, pr, personID); err != nil {
		return intel.Identifier{}, err
	}
	platform := in.Platform
	i, err := scanIdentifier(db.Pool.QueryRow(ctx, `INSERT INTO person_identifiers AS i (person_id, kind, platform, hash,
		description, recorded_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+identifierCols,
		personID, in.Kind, platform, db.IdentifierHash(in.Kind, platform, in.Value), in.Description, pr.Label))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return i, &intel.Error{Code: intel.ECONFLICT, Message: "value: this person already has this identifier",
			Fields: []intel.FieldError{{Field: "value", Reason: "already recorded for this person"}}}
	}
	return i, wrap(err, "identifier")
}

// DeleteIdentifier deletes one of a person's identifiers.
func (db *DB) DeleteIdentifier(ctx context.Context, pr intel.Principal, personID, id int64) error {
	if _, err := personVisible(ctx, db.Pool, pr, personID); err != nil {
		return err
	}
	tag, err := db.Pool.Exec(ctx, `DELETE FROM person_identifiers WHERE id = $1 AND person_id = $2`, id, personID)
	if err == nil && tag.RowsAffected() == 0 {
		return intel.NotFound("identifier")
	}
	return wrap(err, "identifier")
}

// MatchIdentifier finds the people in the caller's view recorded with the
// identifier.
func (db *DB) MatchIdentifier(ctx context.Context, pr intel.Principal, q intel.IdentifierQuery) ([]intel.Identifier, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+identifierCols+` FROM person_identifiers i JOIN people p ON p.id = i.person_id
		WHERE i.hash = $1 AND ($2::text[] IS NULL OR p.district = ANY($2)) AND ($3 OR p.kind <> 'adult_of_concern')
		ORDER BY i.id`, db.IdentifierHash(q.Kind, q.Platform, q.Value), pr.Scope(), pr.SeesAdults())
	if err != nil {
		return nil, wrap(err, "identifiers")
	}
	return collect(rows, scanIdentifier, "identifiers")
}

// PutMissingProfile stores what a profile holds beyond the graph.
func (db *DB) PutMissingProfile(ctx context.Context, pr intel.Principal, personID int64, in intel.MissingProfileInput) error {
	kind, err := personVisible(ctx, db.Pool, pr, personID)
	if err != nil {
		return err
	}
	if kind != intel.YoungPerson {
		return intel.Invalid("person", "a missing-person profile is a young person's")
	}
	_, err = db.Pool.Exec(ctx, `INSERT INTO missing_profiles (person_id, transport, updated_by) VALUES ($1, $2, $3)
		ON CONFLICT (person_id) DO UPDATE SET transport = EXCLUDED.transport, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		personID, in.Transport, pr.Label)
	return wrap(err, "missing profile")
}

// TransportKinds are the place kinds listed as transport in a profile.
var TransportKinds = []string{"bus_station", "rail_station", "taxi_rank"}

// MissingProfile assembles a young person's Philomena profile from the
// graph over [from, to]: associates (links in force and people seen with
// them at events), places (links, events, their groups' places), peer
// groups and online spaces, phones and handles, recent missing episodes.
// Everything is read in the caller's view: associates outside it are only
// counted.
func (db *DB) MissingProfile(ctx context.Context, pr intel.Principal, personID int64, from, to intel.Date) (intel.MissingProfile, error) {
	var mp intel.MissingProfile
	p, err := db.GetPerson(ctx, pr, personID, &to)
	if err != nil {
		return mp, err
	}
	if p.Kind != intel.YoungPerson {
		return mp, intel.Invalid("person", "a missing-person profile is a young person's")
	}
	mp.Person, mp.PeriodFrom, mp.GeneratedAt = p, from, time.Now().UTC()
	err = db.Pool.QueryRow(ctx, `SELECT transport FROM missing_profiles WHERE person_id = $1`, personID).Scan(&mp.Transport)
	if err != nil && err != pgx.ErrNoRows {
		return mp, wrap(err, "missing profile")
	}
	if mp.Identifiers, err = db.ListIdentifiers(ctx, pr, personID); err != nil {
		return mp, err
	}
	if err := db.profileAssociates(ctx, pr, &mp, from, to); err != nil {
		return mp, err
	}
	if err := db.missingProfileContexts(ctx, &mp, to); err != nil {
		return mp, err
	}
	if err := db.profileEpisodes(ctx, pr, &mp, from, to); err != nil {
		return mp, err
	}
	if err := db.profilePlaces(ctx, pr, &mp, from, to); err != nil {
		return mp, err
	}
	for _, pl := range mp.Places {
		if slices.Contains(TransportKinds, pl.Place.Kind) {
			mp.TransportHub = append(mp.TransportHub, pl.Place.ID)
		}
	}
	mp.Notes = append(mp.Notes, "No name, physical description or photograph is held here (contextmap is pseudonymous): add them from the case system.",
		"Phones and social media handles are held only as keyed hashes: the description and fingerprint identify the record, not the number or handle.")
	return mp, nil
}

// associateSQL lists the people tied to $1: associates_with links in force
// on $TO, and people in the same events over the period. $V is the
// visibility condition on p.
const associateSQL = `WITH a AS (
	SELECT CASE WHEN l.source_id = $1 THEN l.target_id ELSE l.source_id END AS pid, true AS linked, 0 AS seen,
	       l.nature, l.strength, l.source_eval || l.intel_assessment || l.handling AS grade, l.confirmed, l.last_seen
	  FROM links l WHERE l.kind = 'associates_with' AND (l.source_id = $1 OR l.target_id = $1) AND l.review_date >= $TO
	UNION ALL
	SELECT ep2.person_id, false, count(DISTINCT e.id), NULL, NULL, NULL, NULL,
	       max((e.starts_at AT TIME ZONE 'Europe/London')::date)
	  FROM event_people ep JOIN events e ON e.id = ep.event_id
	  JOIN event_people ep2 ON ep2.event_id = e.id AND ep2.person_id <> $1
	 WHERE ep.person_id = $1 AND e.starts_at >= ($FROM::timestamp AT TIME ZONE 'Europe/London')
	   AND e.starts_at < (($TO + 1)::timestamp AT TIME ZONE 'Europe/London')
	 GROUP BY ep2.person_id
)`

func (db *DB) profileAssociates(ctx context.Context, pr intel.Principal, mp *intel.MissingProfile, from, to intel.Date) error {
	visible := `($4::text[] IS NULL OR p.district = ANY($4)) AND ($5 OR p.kind <> 'adult_of_concern')`
	q := withPeriod(associateSQL+`
	SELECT p.id, p.pseudonym, p.kind, p.age_band, p.district, bool_or(a.linked), sum(a.seen)::int,
	       max(a.nature), max(a.strength), min(a.grade), bool_or(a.confirmed), max(a.last_seen)
	  FROM a JOIN people p ON p.id = a.pid WHERE `+visible+`
	 GROUP BY p.id ORDER BY bool_or(a.linked) DESC, sum(a.seen) DESC, p.id LIMIT 50`, 2, 3)
	rows, err := db.Pool.Query(ctx, q, mp.Person.ID, from.Time, to.Time, pr.Scope(), pr.SeesAdults())
	if err != nil {
		return wrap(err, "associates")
	}
	mp.Associates, err = collect(rows, func(row pgx.Row) (intel.ProfileAssociate, error) {
		var a intel.ProfileAssociate
		var grade *string
		var last *time.Time
		err := row.Scan(&a.PersonID, &a.Pseudonym, &a.Kind, &a.AgeBand, &a.District, &a.Linked, &a.SeenWith,
			&a.Nature, &a.Strength, &grade, &a.Confirmed, &last)
		if grade != nil {
			g, gerr := intel.ParseGrade(*grade)
			if gerr == nil {
				a.Grade = &g
			}
		}
		if last != nil {
			a.LastSeen = &intel.Date{Time: *last}
		}
		return a, err
	}, "associates")
	if err != nil {
		return err
	}
	q = withPeriod(associateSQL+`SELECT count(DISTINCT p.id) FROM a JOIN people p ON p.id = a.pid WHERE NOT (`+visible+`)`, 2, 3)
	return wrap(db.Pool.QueryRow(ctx, q, mp.Person.ID, from.Time, to.Time, pr.Scope(), pr.SeesAdults()).Scan(&mp.AssociatesWithheld), "associates")
}

func (db *DB) missingProfileContexts(ctx context.Context, mp *intel.MissingProfile, to intel.Date) error {
	rows, err := db.Pool.Query(ctx, `SELECT n.id, n.type, coalesce(g.name, s.name), s.platform, s.space_kind,
		coalesce(g.district, s.district), l.kind, l.source_eval || l.intel_assessment || l.handling, l.last_seen
		FROM links l JOIN nodes n ON n.id = l.target_id
		LEFT JOIN peer_groups g ON g.id = n.id LEFT JOIN online_spaces s ON s.id = n.id
		WHERE l.source_id = $1 AND l.kind IN ('member_of', 'present_in') AND l.review_date >= $2
		ORDER BY l.last_seen DESC, n.id`, mp.Person.ID, to.Time)
	if err != nil {
		return wrap(err, "groups and spaces")
	}
	mp.Contexts, err = collect(rows, func(row pgx.Row) (intel.MissingContext, error) {
		var c intel.MissingContext
		var grade string
		err := row.Scan(&c.ID, &c.Type, &c.Name, &c.Platform, &c.Kind, &c.District, &c.Link, &grade, &c.LastSeen.Time)
		if err == nil {
			c.Grade, err = intel.ParseGrade(grade)
		}
		return c, err
	}, "groups and spaces")
	return err
}

func (db *DB) profileEpisodes(ctx context.Context, pr intel.Principal, mp *intel.MissingProfile, from, to intel.Date) error {
	rows, err := db.Pool.Query(ctx, `SELECT e.id, e.starts_at, e.place_id, e.found_at, e.found_place_id, e.rhi_at
		FROM events e JOIN event_people ep ON ep.event_id = e.id AND ep.person_id = $1
		WHERE e.kind = 'missing_episode' AND e.starts_at >= ($2::date::timestamp AT TIME ZONE 'Europe/London')
		  AND e.starts_at < (($3::date + 1)::timestamp AT TIME ZONE 'Europe/London')
		  AND ($4::text[] IS NULL OR e.district = ANY($4))
		ORDER BY e.starts_at DESC LIMIT 10`, mp.Person.ID, from.Time, to.Time, pr.Scope())
	if err != nil {
		return wrap(err, "missing episodes")
	}
	mp.Episodes, err = collect(rows, func(row pgx.Row) (intel.ProfileEpisode, error) {
		var e intel.ProfileEpisode
		err := row.Scan(&e.EventID, &e.From, &e.LastSeenAt, &e.FoundAt, &e.FoundPlace, &e.RHIAt)
		if e.FoundAt != nil {
			in := e.RHIAt != nil && e.RHIAt.Sub(*e.FoundAt) <= 72*time.Hour
			e.RHIWithin72h = &in
		}
		return e, err
	}, "missing episodes")
	return err
}

// profilePlaces lists the child's places: tied by links or events
// (tiesSQL), where their groups congregate, and the last-seen and found-at
// places of the episodes listed.
func (db *DB) profilePlaces(ctx context.Context, pr intel.Principal, mp *intel.MissingProfile, from, to intel.Date) error {
	var episodePlaces []int64
	for _, e := range mp.Episodes {
		for _, id := range []*int64{e.LastSeenAt, e.FoundPlace} {
			if id != nil {
				episodePlaces = append(episodePlaces, *id)
			}
		}
	}
	exact := `($6::boolean AND ($7::text[] IS NULL OR pl.district = ANY($7)))`
	q := withPeriod(`WITH t AS (
		SELECT t.context_id, t.how, t.seen FROM (`+tiesSQL(`l.source_id = $1`, `ep.person_id = $1`)+`) t
		UNION ALL
		SELECT c.target_id, 'congregates_at (group)', c.last_seen
		  FROM links m JOIN links c ON c.source_id = m.target_id AND c.kind = 'congregates_at' AND c.review_date >= $TO
		 WHERE m.source_id = $1 AND m.kind = 'member_of' AND m.review_date >= $TO
		UNION ALL
		SELECT unnest($4::bigint[]), 'missing episode', NULL
	)
	SELECT pl.id, array_agg(DISTINCT t.how ORDER BY t.how), count(*) FILTER (WHERE t.how = 'event'), max(t.seen),
	       CASE WHEN pl.sensitive AND NOT `+exact+` THEN floor(pl.x / 1000) * 1000 + 500 ELSE pl.x END,
	       CASE WHEN pl.sensitive AND NOT `+exact+` THEN floor(pl.y / 1000) * 1000 + 500 ELSE pl.y END
	  FROM t JOIN places pl ON pl.id = t.context_id
	 GROUP BY pl.id ORDER BY count(*) FILTER (WHERE t.how = 'event') DESC, max(t.seen) DESC NULLS LAST, pl.id LIMIT $5`, 2, 3)
	rows, err := db.Pool.Query(ctx, q, mp.Person.ID, from.Time, to.Time, episodePlaces, 40, pr.PersonLevel(), pr.Scope())
	if err != nil {
		return wrap(err, "places")
	}
	places, err := collect(rows, func(row pgx.Row) (intel.ProfilePlace, error) {
		var p intel.ProfilePlace
		var seen *time.Time
		err := row.Scan(&p.Place.ID, &p.Why, &p.Events, &seen, &p.X, &p.Y)
		if seen != nil {
			p.LastSeen = &intel.Date{Time: *seen}
		}
		return p, err
	}, "places")
	if err != nil {
		return err
	}
	ids := make([]int64, len(places))
	for i, p := range places {
		ids[i] = p.Place.ID
	}
	m, err := db.placesByID(ctx, pr, ids)
	if err != nil {
		return err
	}
	for i := range places {
		places[i].Place = m[places[i].Place.ID]
	}
	mp.Places = places
	return nil
}
