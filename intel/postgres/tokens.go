package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise
// (secret scanners) and to tell from an OIDC JWT.
const TokenPrefix = "cm_"

// Token is an API token's record; the secret itself is never stored.
type Token struct {
	ID         int64      `json:"id"`
	Label      string     `json:"label"`
	Role       intel.Role `json:"role"`
	Districts  []string   `json:"districts"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateToken makes a token and returns its secret, shown once.
func (db *DB) CreateToken(ctx context.Context, label string, role intel.Role, districts []string, expires *time.Time) (string, Token, error) {
	var v intel.Validation
	if !role.Valid() {
		v.Add("role", "must be one of admin, analyst, police, district, partner")
	}
	if role == intel.RoleDistrict && len(districts) == 0 {
		v.Add("district", "a district token needs at least one district")
	}
	if strings.TrimSpace(label) == "" {
		v.Add("name", "is required")
	}
	if err := v.Err(); err != nil {
		return "", Token{}, err
	}
	if districts == nil {
		districts = []string{}
	}
	for _, d := range districts {
		ok, err := db.DistrictExists(ctx, d)
		if err != nil {
			return "", Token{}, err
		}
		if !ok {
			return "", Token{}, intel.Invalid("district", "no district has code "+d)
		}
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", Token{}, err
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	t := Token{Label: label, Role: role, Districts: districts, ExpiresAt: expires}
	err := db.Pool.QueryRow(ctx, `INSERT INTO api_tokens (token_hash, label, role, districts, expires_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`, hashToken(secret), label, string(role), districts, expires).
		Scan(&t.ID, &t.CreatedAt)
	if err != nil {
		return "", Token{}, wrap(err, "token")
	}
	return secret, t, nil
}

// Authenticate resolves a token secret to a principal. Unknown, revoked and
// expired tokens all answer EUNAUTHORIZED with the same message.
func (db *DB) Authenticate(ctx context.Context, secret string) (intel.Principal, error) {
	var t Token
	var role string
	err := db.Pool.QueryRow(ctx, `SELECT id, label, role, districts, expires_at, revoked_at, last_used_at FROM api_tokens
		WHERE token_hash = $1`, hashToken(secret)).Scan(&t.ID, &t.Label, &role, &t.Districts, &t.ExpiresAt, &t.RevokedAt, &t.LastUsedAt)
	bad := intel.Errorf(intel.EUNAUTHORIZED, "the token is not valid (unknown, expired or revoked)")
	if err == pgx.ErrNoRows {
		return intel.Principal{}, bad
	}
	if err != nil {
		return intel.Principal{}, wrap(err, "token")
	}
	now := time.Now()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !t.ExpiresAt.After(now)) {
		return intel.Principal{}, bad
	}
	// last_used_at is kept to the minute, so a busy token costs one write a
	// minute, not one a request.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if _, err := db.Pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, t.ID); err != nil {
			return intel.Principal{}, wrap(err, "token")
		}
	}
	return intel.Principal{Subject: "token:" + itoa(int(t.ID)), Label: t.Label, Role: intel.Role(role), Districts: t.Districts}, nil
}

// ListTokens lists every token, newest first.
func (db *DB) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, label, role, districts, created_at, expires_at, revoked_at, last_used_at
		FROM api_tokens ORDER BY id DESC`)
	if err != nil {
		return nil, wrap(err, "tokens")
	}
	return collect(rows, func(r pgx.Row) (Token, error) {
		var t Token
		var role string
		err := r.Scan(&t.ID, &t.Label, &role, &t.Districts, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.LastUsedAt)
		t.Role = intel.Role(role)
		return t, err
	}, "tokens")
}

// RevokeToken revokes a token by id.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, id)
	if err != nil {
		return wrap(err, "token")
	}
	if tag.RowsAffected() == 0 {
		return intel.NotFound("token")
	}
	return nil
}
