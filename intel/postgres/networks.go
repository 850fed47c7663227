package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/network"
)

// The store of intel/network: the graph is read and the networks written
// here; the analysis itself is pure Go.
var _ network.Store = (*DB)(nil)

// basisSQL selects the links networks are computed from: in force on the
// day (review date not passed) and not graded E (suspected false or
// malicious), confirmed or not.
const basisSQL = `l.intel_assessment <> 'E' AND l.review_date > current_date`

// LoadNetworkGraph reads every node and the basis links in one
// repeatable-read snapshot, and returns that snapshot's token so the run
// can later be judged stale.
func (db *DB) LoadNetworkGraph(ctx context.Context) (network.Snapshot, []network.Node, []network.Link, error) {
	var snap network.Snapshot
	tx, err := db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return snap, nil, nil, wrap(err, "network graph")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	if err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text, now(), current_date,
		(SELECT max(updated_at) FROM links)`).Scan(&snap.Token, &snap.At, &snap.AsOf, &snap.LinksUpdatedAt); err != nil {
		return snap, nil, nil, wrap(err, "network graph")
	}
	rows, err := tx.Query(ctx, `SELECT id, kind, coalesce(district, '') FROM people
		UNION ALL SELECT id, 'place', coalesce(district, '') FROM places
		UNION ALL SELECT id, 'group', coalesce(district, '') FROM peer_groups
		UNION ALL SELECT id, 'space', coalesce(district, '') FROM online_spaces`)
	if err != nil {
		return snap, nil, nil, wrap(err, "network graph")
	}
	var nodes []network.Node
	var n network.Node
	_, err = pgx.ForEachRow(rows, []any{&n.ID, &n.Type, &n.District}, func() error {
		nodes = append(nodes, n)
		return nil
	})
	if err != nil {
		return snap, nil, nil, wrap(err, "network graph")
	}
	rows, err = tx.Query(ctx, `SELECT l.source_id, l.target_id, l.first_seen, l.last_seen FROM links l WHERE `+basisSQL)
	if err != nil {
		return snap, nil, nil, wrap(err, "network graph")
	}
	var links []network.Link
	var l network.Link
	_, err = pgx.ForEachRow(rows, []any{&l.Source, &l.Target, &l.FirstSeen, &l.LastSeen}, func() error {
		links = append(links, l)
		return nil
	})
	return snap, nodes, links, wrap(err, "network graph")
}

// SaveNetworks stores a run and serves it, replacing the previous run
// unless that one read a later snapshot (two servers racing), then prunes
// the change log of what the run has seen.
func (db *DB) SaveNetworks(ctx context.Context, s network.Snapshot, r network.Result, took time.Duration) error {
	opts, err := json.Marshal(r.Options)
	if err != nil {
		return fmt.Errorf("save networks: %w", err)
	}
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('contextmap.networks'))`); err != nil {
			return err
		}
		var newer bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM network_state st JOIN network_runs r ON r.id = st.run_id
			WHERE r.computed_at > $1)`, s.At).Scan(&newer); err != nil {
			return err
		}
		if newer {
			return nil
		}
		var run int64
		if err := tx.QueryRow(ctx, `INSERT INTO network_runs (snapshot, computed_at, as_of, links_updated_at, took_ms,
			nodes, edges, links, modularity, options) VALUES ($1::text::pg_snapshot, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING id`, s.Token, s.At, s.AsOf, s.LinksUpdatedAt, took.Milliseconds(), r.Nodes, r.Edges, r.Links,
			r.Modularity, opts).Scan(&run); err != nil {
			return err
		}
		nets := make([][]any, len(r.Networks))
		var members [][]any
		for k, nw := range r.Networks {
			var comp any
			if nw.Component != "" {
				comp = nw.Component
			}
			nets[k] = []any{run, nw.ID, nw.Kind, nw.Anchor, comp, len(nw.Members), nw.Count[network.YoungPerson],
				nw.Count[network.AdultOfConcern], nw.Count[network.Place], nw.Count[network.Group], nw.Count[network.Space],
				nw.Edges, nw.Links, nw.Districts, nw.FirstSeen, nw.LastSeen, nw.Betweenness, nw.Pivots}
			if nw.Districts == nil {
				nets[k][13] = []string{}
			}
			for _, m := range nw.Members {
				members = append(members, []any{run, nw.ID, m.Node, m.Type, m.Degree, m.Betweenness})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"networks"}, []string{"run_id", "id", "kind", "anchor", "component",
			"size", "young_people", "adults", "places", "groups", "spaces", "edges", "links", "districts", "first_seen",
			"last_seen", "betweenness", "pivots"}, pgx.CopyFromRows(nets)); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"network_members"}, []string{"run_id", "network_id", "node_id",
			"node_type", "degree", "betweenness"}, pgx.CopyFromRows(members)); err != nil {
			return err
		}
		for _, q := range []string{
			`INSERT INTO network_state (run_id) VALUES ($1) ON CONFLICT (one) DO UPDATE SET run_id = excluded.run_id`,
			`DELETE FROM network_members WHERE run_id <> $1`,
			`DELETE FROM networks WHERE run_id <> $1`,
			`DELETE FROM network_runs WHERE id <> $1`,
			`DELETE FROM graph_changes WHERE pg_visible_in_snapshot(xid, (SELECT snapshot FROM network_runs WHERE id = $1))`,
		} {
			if _, err := tx.Exec(ctx, q, run); err != nil {
				return err
			}
		}
		// Every run replaces the tables' contents: fresh statistics, or the
		// first requests after a run are planned for the old ones (network
		// detail took 470 ms instead of 40 on the national data).
		_, err := tx.Exec(ctx, `ANALYZE networks, network_members`)
		return err
	})
	return wrap(err, "save networks")
}

const staleSQL = `(EXISTS (SELECT 1 FROM graph_changes c WHERE NOT pg_visible_in_snapshot(c.xid, r.snapshot))
	OR r.as_of < current_date)`

// NetworksStale reports whether the served networks are missing or behind
// the graph.
func (db *DB) NetworksStale(ctx context.Context) (bool, error) {
	f, _, err := db.networkFreshness(ctx, db.Pool)
	return f.Stale, err
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// networkFreshness describes the served run, and returns its id (0 when
// there is none).
func (db *DB) networkFreshness(ctx context.Context, q querier) (intel.Freshness, int64, error) {
	return scanFreshness(q.QueryRow(ctx, freshnessSQL))
}

const freshnessSQL = `SELECT r.id, r.computed_at, r.as_of, r.links_updated_at, r.options, ` + staleSQL + `
	FROM network_state st JOIN network_runs r ON r.id = st.run_id`

func scanFreshness(row pgx.Row) (intel.Freshness, int64, error) {
	var f intel.Freshness
	var run int64
	var at time.Time
	var asOf time.Time
	var opts []byte
	err := row.Scan(&run, &at, &asOf, &f.LinksUpdatedAt, &opts, &f.Stale)
	if err == pgx.ErrNoRows {
		return intel.Freshness{Stale: true}, 0, nil
	}
	if err != nil {
		return f, 0, wrap(err, "networks")
	}
	f.ComputedAt = &at
	d := intel.Date{Time: asOf}
	f.AsOf = &d
	f.Method = methodJSON(opts)
	return f, run, nil
}

// methodJSON states how networks are computed, with the run's options.
func methodJSON(opts []byte) json.RawMessage {
	var o network.Options
	_ = json.Unmarshal(opts, &o)
	b, _ := json.Marshal(map[string]any{
		"basis":       "links in force (review date not passed on as_of), not graded E; confirmed and unconfirmed",
		"communities": fmt.Sprintf("Louvain, resolution %g, seed %d", o.Resolution, o.Seed),
		"betweenness": fmt.Sprintf("Brandes, unweighted, normalised; exact up to %d nodes, else %d sampled pivots", o.ExactLimit, o.Pivots),
		"ids":         "kind and smallest member node id",
	})
	return b
}

// NetworkFilter selects networks in a list.
type NetworkFilter struct {
	Kind        string // component or community
	District    string // spans this district
	MinSize     int
	MaxSize     int // 0: no bound
	From, To    *intel.Date
	CrossBorder *bool
	// MinYoungPeople withholds networks with fewer young people (disclosure
	// control for aggregate-only callers); 0 withholds none.
	MinYoungPeople int
	After          string
	Limit          int
}

const networkCols = `n.id, n.kind, n.component, n.size, n.young_people, n.adults, n.places, n.groups, n.spaces,
	n.districts, n.edges, n.links, n.first_seen, n.last_seen, n.betweenness, n.pivots`

func scanNetwork(row pgx.Row) (intel.Network, error) {
	var n intel.Network
	var size, yp, ad int
	err := row.Scan(&n.ID, &n.Kind, &n.Component, &size, &yp, &ad, &n.Size.Places, &n.Size.Groups, &n.Size.Spaces,
		&n.Districts, &n.Edges, &n.Links, &n.FirstSeen.Time, &n.LastSeen.Time, &n.Betweenness, &n.Pivots)
	n.Size.Total, n.Size.YoungPeople, n.Size.AdultsOfConcern = &size, &yp, &ad
	n.CrossBorder = len(n.Districts) > 1
	return n, err
}

// ListNetworks lists the served networks, largest first.
func (db *DB) ListNetworks(ctx context.Context, f NetworkFilter) (intel.NetworkList, error) {
	out := intel.NetworkList{Items: []intel.Network{}}
	tx, err := db.ReadTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return out, wrap(err, "networks")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	fr, run, err := db.networkFreshness(ctx, tx)
	if err != nil || run == 0 {
		out.Freshness = fr
		return out, err
	}
	out.Freshness = fr
	var afterSize, afterAnchor int64 = -1, 0
	if f.After != "" {
		err := tx.QueryRow(ctx, `SELECT size, anchor FROM networks WHERE run_id = $1 AND id = $2 AND kind = $3`,
			run, f.After, f.Kind).Scan(&afterSize, &afterAnchor)
		if err == pgx.ErrNoRows {
			return out, intel.Invalid("after", "is not a network of this kind in the current computation: start again without it")
		}
		if err != nil {
			return out, wrap(err, "networks")
		}
	}
	where := `n.run_id = $1 AND n.kind = $2 AND ($3 = '' OR $3 = ANY(n.districts)) AND n.size >= $4
		AND ($5 = 0 OR n.size <= $5) AND ($6::date IS NULL OR n.last_seen >= $6) AND ($7::date IS NULL OR n.first_seen <= $7)
		AND ($8::boolean IS NULL OR (cardinality(n.districts) > 1) = $8)`
	args := []any{run, f.Kind, f.District, f.MinSize, f.MaxSize, dateArg(f.From), dateArg(f.To), f.CrossBorder,
		f.MinYoungPeople, afterSize, afterAnchor, f.Limit}
	rows, err := tx.Query(ctx, `SELECT `+networkCols+` FROM networks n WHERE `+where+` AND n.young_people >= $9
		AND ($10 < 0 OR n.size < $10 OR (n.size = $10 AND n.anchor > $11))
		ORDER BY n.size DESC, n.anchor LIMIT $12`, args...)
	if err != nil {
		return out, wrap(err, "networks")
	}
	if out.Items, err = collect(rows, scanNetwork, "networks"); err != nil {
		return out, err
	}
	if f.MinYoungPeople > 0 {
		err = tx.QueryRow(ctx, `SELECT count(*) FROM networks n WHERE `+where+` AND n.young_people < $9`,
			args[:9]...).Scan(&out.Withheld)
	}
	return out, wrap(err, "networks")
}

// networkRun reads the served run's freshness and one of its networks.
func (db *DB) networkRun(ctx context.Context, tx pgx.Tx, id string) (intel.Freshness, int64, intel.Network, error) {
	fr, run, err := db.networkFreshness(ctx, tx)
	if err != nil {
		return fr, 0, intel.Network{}, err
	}
	if run == 0 {
		return fr, 0, intel.Network{}, intel.NotFound("network")
	}
	n, err := scanNetwork(tx.QueryRow(ctx, `SELECT `+networkCols+` FROM networks n WHERE n.run_id = $1 AND n.id = $2`, run, id))
	return fr, run, n, wrap(err, "network")
}

// memberSQL reads a network's members with what the caller may see of
// each: $1 run, $2 network, $3 person-level, $4 scope, $5 sees adults.
// visible is false for people out of scope, adults of concern for roles
// that may not see them, and people, groups and spaces for callers without
// person-level access; hidden members keep type and metrics only.
const memberSQL = `SELECT m.node_id, m.node_type, m.degree, m.betweenness,
	CASE m.node_type
		WHEN 'place' THEN true
		WHEN 'young_person' THEN $3::boolean AND ($4::text[] IS NULL OR p.district = ANY($4))
		WHEN 'adult_of_concern' THEN $5::boolean
		ELSE $3::boolean END AS visible,
	coalesce(CASE WHEN pl.sensitive AND NOT (EXACT) THEN 'Sensitive place (' || replace(pl.kind, '_', ' ') || ')' ELSE pl.name END,
		p.pseudonym, g.name, s.name, ''),
	coalesce(pl.kind, s.platform, ''),
	coalesce(pl.district, p.district, g.district, s.district),
	coalesce(pl.sensitive AND NOT (EXACT), false)
	FROM network_members m
	LEFT JOIN places pl ON m.node_type = 'place' AND pl.id = m.node_id
	LEFT JOIN people p ON m.node_type IN ('young_person', 'adult_of_concern') AND p.id = m.node_id
	LEFT JOIN peer_groups g ON m.node_type = 'group' AND g.id = m.node_id
	LEFT JOIN online_spaces s ON m.node_type = 'space' AND s.id = m.node_id
	WHERE m.run_id = $1 AND m.network_id = $2`

func scanMember(row pgx.Row) (intel.NetworkNode, bool, error) {
	var n intel.NetworkNode
	var id int64
	var visible bool
	err := row.Scan(&id, &n.Type, &n.Degree, &n.Betweenness, &visible, &n.Label, &n.Kind, &n.District, &n.Generalised)
	if !visible {
		n = intel.NetworkNode{Type: n.Type, Degree: n.Degree, Betweenness: n.Betweenness, Hidden: true}
	} else {
		n.ID = &id
	}
	return n, visible, err
}

// members reads a network's members, most central first; with perType >
// 0, only the perType most central of each type and the KeyNodes most
// central overall.
func (db *DB) members(ctx context.Context, tx pgx.Tx, pr intel.Principal, run int64, id string, perType int) ([]intel.NetworkNode, error) {
	q := memberSQL + ` ORDER BY m.betweenness DESC, m.degree DESC, m.node_id`
	args := []any{run, id, pr.PersonLevel(), pr.Scope(), pr.SeesAdults()}
	if perType > 0 {
		q = strings.Replace(q, `FROM network_members m`, `FROM (SELECT * FROM (SELECT m.*,
			row_number() OVER (PARTITION BY m.node_type ORDER BY m.betweenness DESC, m.degree DESC, m.node_id) AS in_type,
			row_number() OVER (ORDER BY m.betweenness DESC, m.degree DESC, m.node_id) AS overall
			FROM network_members m WHERE m.run_id = $1 AND m.network_id = $2) r WHERE r.in_type <= $6 OR r.overall <= $7) m`, 1)
		args = append(args, perType, KeyNodes)
	}
	rows, err := tx.Query(ctx, placeSQL(q, 3, 4), args...)
	if err != nil {
		return nil, wrap(err, "network")
	}
	defer rows.Close()
	var out []intel.NetworkNode
	for rows.Next() {
		n, _, err := scanMember(rows)
		if err != nil {
			return nil, wrap(err, "network")
		}
		out = append(out, n)
	}
	return out, wrap(rows.Err(), "network")
}

// KeyNodes is how many key nodes a network's detail lists; MaxListed how
// many places, groups and spaces at most (the most central).
const (
	KeyNodes  = 10
	MaxListed = 500
)

// GetNetwork reads one served network with its places, groups, spaces,
// key nodes and (for a component) communities, as the caller may see
// them. Callers without person-level access get places only: no people,
// and groups and spaces as counts.
func (db *DB) GetNetwork(ctx context.Context, pr intel.Principal, id string) (intel.Freshness, intel.Network, error) {
	tx, err := db.ReadTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return intel.Freshness{}, intel.Network{}, wrap(err, "network")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	fr, run, n, err := db.networkRun(ctx, tx, id)
	if err != nil {
		return fr, n, err
	}
	all, err := db.members(ctx, tx, pr, run, id, MaxListed)
	if err != nil {
		return fr, n, err
	}
	n.ListsTruncated = n.Size.Places > MaxListed || n.Size.Groups > MaxListed || n.Size.Spaces > MaxListed
	for _, m := range all {
		if m.Hidden {
			continue
		}
		switch m.Type {
		case network.Place:
			n.Places = append(n.Places, m)
		case network.Group:
			n.Groups = append(n.Groups, m)
		case network.Space:
			n.Spaces = append(n.Spaces, m)
		}
	}
	for _, m := range all {
		if len(n.KeyNodes) == KeyNodes {
			break
		}
		if !pr.PersonLevel() && m.Type != network.Place {
			continue
		}
		n.KeyNodes = append(n.KeyNodes, m)
	}
	if n.Kind == network.Component {
		rows, err := tx.Query(ctx, `SELECT id FROM networks WHERE run_id = $1 AND component = $2 ORDER BY size DESC, anchor`, run, id)
		if err != nil {
			return fr, n, wrap(err, "network")
		}
		if n.Communities, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return fr, n, wrap(err, "network")
		}
	}
	return fr, n, nil
}

// LinkSelection selects the links an association map or a link chart is
// drawn from.
type LinkSelection struct {
	Kinds            []string    // empty: every kind
	From, To         *intel.Date // first_seen..last_seen overlaps from..to
	MinGrade         *intel.Grade
	ExcludeE         bool
	ConfirmedOnly    bool
	IncludeReviewDue bool
}

// where returns the condition on links alias l for the selection, its
// parameters numbered from next.
func (s LinkSelection) where(l string, next int) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(next+len(args)-1)
	}
	if len(s.Kinds) > 0 {
		conds = append(conds, l+".kind = ANY("+arg(s.Kinds)+"::text[])")
	}
	if s.From != nil {
		conds = append(conds, l+".last_seen >= "+arg(s.From.Time)+"::date")
	}
	if s.To != nil {
		conds = append(conds, l+".first_seen <= "+arg(s.To.Time)+"::date")
	}
	if s.MinGrade != nil {
		conds = append(conds, l+".source_eval <= "+arg(string(s.MinGrade.Source))+" AND "+l+".intel_assessment <= "+
			arg(string(s.MinGrade.Assessment)))
	}
	if s.ExcludeE {
		conds = append(conds, l+".intel_assessment <> 'E'")
	}
	if s.ConfirmedOnly {
		conds = append(conds, l+".confirmed")
	}
	if !s.IncludeReviewDue {
		conds = append(conds, l+".review_date > current_date")
	}
	if len(conds) == 0 {
		return "true", nil
	}
	return strings.Join(conds, " AND "), args
}

// MaxGraphNodes is the largest network a link chart is drawn for.
const MaxGraphNodes = 5000

// NetworkGraph reads a served network as a link chart: its members the
// caller may see and the selected links between them. Members the caller
// may not see (people out of a district team's scope, adults of concern
// for roles that may not see them) are counted in Hidden, with their
// links left out. It returns the ids of the people in the chart, for the
// audit.
func (db *DB) NetworkGraph(ctx context.Context, pr intel.Principal, id string, sel LinkSelection) (intel.NetworkGraph, []int64, error) {
	var g intel.NetworkGraph
	g.Elements.Nodes, g.Elements.Edges, g.Hidden = []intel.CyNode{}, []intel.CyEdge{}, map[string]int{}
	tx, err := db.ReadTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return g, nil, wrap(err, "network")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	fr, run, n, err := db.networkRun(ctx, tx, id)
	if err != nil {
		return g, nil, err
	}
	if *n.Size.Total > MaxGraphNodes {
		return g, nil, intel.Errorf(intel.ETOOLARGE, "network %s has %d nodes, more than the %d a link chart is drawn for: chart one of its communities",
			id, *n.Size.Total, MaxGraphNodes)
	}
	g.Freshness, g.ID, g.Betweenness, g.Pivots = fr, id, n.Betweenness, n.Pivots
	members, err := db.members(ctx, tx, pr, run, id, 0)
	if err != nil {
		return g, nil, err
	}
	visible := map[int64]bool{}
	var people []int64
	for k, m := range members {
		if m.Hidden {
			g.Hidden[m.Type]++
			continue
		}
		visible[*m.ID] = true
		if m.Type == network.YoungPerson || m.Type == network.AdultOfConcern {
			people = append(people, *m.ID)
		}
		g.Elements.Nodes = append(g.Elements.Nodes, intel.CyNode{Data: intel.CyNodeData{
			ID: "n" + strconv.FormatInt(*m.ID, 10), NodeID: *m.ID, Type: m.Type, Label: m.Label, Kind: m.Kind,
			District: m.District, Generalised: m.Generalised, Degree: m.Degree, Betweenness: m.Betweenness, Key: k < KeyNodes}})
	}
	cond, args := sel.where("l", 3)
	rows, err := tx.Query(ctx, `SELECT l.id, l.source_id, l.target_id, l.kind, l.source_eval || l.intel_assessment || l.handling,
		l.confirmed, l.review_date <= current_date, l.first_seen, l.last_seen
		FROM network_members a JOIN links l ON l.source_id = a.node_id
		JOIN network_members b ON b.run_id = a.run_id AND b.network_id = a.network_id AND b.node_id = l.target_id
		WHERE a.run_id = $1 AND a.network_id = $2 AND `+cond+` ORDER BY l.id`, append([]any{run, id}, args...)...)
	if err != nil {
		return g, nil, wrap(err, "network")
	}
	defer rows.Close()
	for rows.Next() {
		var e intel.CyEdgeData
		var src, dst int64
		var grade string
		if err := rows.Scan(&e.LinkID, &src, &dst, &e.Kind, &grade, &e.Confirmed, &e.ReviewDue, &e.FirstSeen.Time,
			&e.LastSeen.Time); err != nil {
			return g, nil, wrap(err, "network")
		}
		if !visible[src] || !visible[dst] {
			continue
		}
		if e.Grade, err = intel.ParseGrade(grade); err != nil {
			return g, nil, wrap(err, "network")
		}
		e.ID = "l" + strconv.FormatInt(e.LinkID, 10)
		e.Source, e.Target = "n"+strconv.FormatInt(src, 10), "n"+strconv.FormatInt(dst, 10)
		e.Dashed = !e.Confirmed || e.Grade.Assessment == 'E'
		g.Elements.Edges = append(g.Elements.Edges, intel.CyEdge{Data: e})
	}
	return g, people, wrap(rows.Err(), "network")
}

// nodeNetworksSQL lists the served networks node $1 belongs to.
// The served run is a scalar, so the members are found by (run_id,
// node_id) in their index: joined to network_state, the planner scanned
// every member (110 ms a place profile at national scale, against 3 ms).
const nodeNetworksSQL = `SELECT ` + networkCols + ` FROM network_members m
	JOIN networks n ON n.run_id = m.run_id AND n.id = m.network_id
	WHERE m.run_id = (SELECT run_id FROM network_state) AND m.node_id = $1 ORDER BY n.kind, n.id`
