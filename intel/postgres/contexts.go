package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// ContextFilter selects peer groups or online spaces in a list.
type ContextFilter struct {
	District string
	Platform string // spaces only
	ExtRef   string
}

const groupCols = `id, name, description, district, ext_ref, created_at, updated_at`

func scanGroup(row pgx.Row) (intel.Group, error) {
	var g intel.Group
	err := row.Scan(&g.ID, &g.Name, &g.Description, &g.District, &g.ExtRef, &g.CreatedAt, &g.UpdatedAt)
	return g, err
}

// GetGroup reads one peer group.
func (db *DB) GetGroup(ctx context.Context, id int64) (intel.Group, error) {
	g, err := scanGroup(db.Pool.QueryRow(ctx, `SELECT `+groupCols+` FROM peer_groups WHERE id = $1`, id))
	return g, wrap(err, "peer group")
}

// ListGroups lists peer groups by id.
func (db *DB) ListGroups(ctx context.Context, f ContextFilter, pg intel.Page) ([]intel.Group, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+groupCols+` FROM peer_groups
		WHERE id > $1 AND ($2 = '' OR district = $2) AND ($3 = '' OR ext_ref = $3) ORDER BY id LIMIT $4`,
		pg.After, f.District, f.ExtRef, pg.Limit)
	if err != nil {
		return nil, wrap(err, "peer groups")
	}
	return collect(rows, scanGroup, "peer groups")
}

// CreateGroup stores a peer group.
func (db *DB) CreateGroup(ctx context.Context, in intel.GroupInput) (intel.Group, error) {
	g, err := scanGroup(db.Pool.QueryRow(ctx, `INSERT INTO peer_groups (name, description, district, ext_ref)
		VALUES ($1, $2, $3, $4) RETURNING `+groupCols, in.Name, in.Description, in.District, in.ExtRef))
	return g, wrap(err, "peer group")
}

// UpdateGroup replaces a peer group.
func (db *DB) UpdateGroup(ctx context.Context, id int64, in intel.GroupInput) (intel.Group, error) {
	g, err := scanGroup(db.Pool.QueryRow(ctx, `UPDATE peer_groups SET name = $2, description = $3, district = $4,
		ext_ref = $5, updated_at = now() WHERE id = $1 RETURNING `+groupCols, id, in.Name, in.Description, in.District, in.ExtRef))
	return g, wrap(err, "peer group")
}

// DeleteGroup deletes a peer group and its links.
func (db *DB) DeleteGroup(ctx context.Context, id int64) error {
	return deleteByID(ctx, db, "peer_groups", "peer group", id)
}

const spaceCols = `id, name, platform, space_kind, district, ext_ref, created_at, updated_at`

func scanSpace(row pgx.Row) (intel.Space, error) {
	var s intel.Space
	err := row.Scan(&s.ID, &s.Name, &s.Platform, &s.Kind, &s.District, &s.ExtRef, &s.CreatedAt, &s.UpdatedAt)
	return s, err
}

// GetSpace reads one online space.
func (db *DB) GetSpace(ctx context.Context, id int64) (intel.Space, error) {
	s, err := scanSpace(db.Pool.QueryRow(ctx, `SELECT `+spaceCols+` FROM online_spaces WHERE id = $1`, id))
	return s, wrap(err, "online space")
}

// ListSpaces lists online spaces by id.
func (db *DB) ListSpaces(ctx context.Context, f ContextFilter, pg intel.Page) ([]intel.Space, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+spaceCols+` FROM online_spaces
		WHERE id > $1 AND ($2 = '' OR district = $2) AND ($3 = '' OR platform = $3) AND ($4 = '' OR ext_ref = $4)
		ORDER BY id LIMIT $5`, pg.After, f.District, f.Platform, f.ExtRef, pg.Limit)
	if err != nil {
		return nil, wrap(err, "online spaces")
	}
	return collect(rows, scanSpace, "online spaces")
}

// CreateSpace stores an online space.
func (db *DB) CreateSpace(ctx context.Context, in intel.SpaceInput) (intel.Space, error) {
	s, err := scanSpace(db.Pool.QueryRow(ctx, `INSERT INTO online_spaces (name, platform, space_kind, district, ext_ref)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+spaceCols, in.Name, in.Platform, in.Kind, in.District, in.ExtRef))
	return s, wrap(err, "online space")
}

// UpdateSpace replaces an online space.
func (db *DB) UpdateSpace(ctx context.Context, id int64, in intel.SpaceInput) (intel.Space, error) {
	s, err := scanSpace(db.Pool.QueryRow(ctx, `UPDATE online_spaces SET name = $2, platform = $3, space_kind = $4,
		district = $5, ext_ref = $6, updated_at = now() WHERE id = $1 RETURNING `+spaceCols,
		id, in.Name, in.Platform, in.Kind, in.District, in.ExtRef))
	return s, wrap(err, "online space")
}

// DeleteSpace deletes an online space and its links.
func (db *DB) DeleteSpace(ctx context.Context, id int64) error {
	return deleteByID(ctx, db, "online_spaces", "online space", id)
}
