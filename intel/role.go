package intel

import "slices"

// Role is what a caller may see and do.
type Role string

const (
	// RoleAdmin manages tokens, configuration and reads the audit log.
	RoleAdmin Role = "admin"
	// RoleAnalyst sees everything in the partnership's area, person-level.
	RoleAnalyst Role = "analyst"
	// RolePolice sees person-level data, adults of concern and disruption.
	RolePolice Role = "police"
	// RoleDistrict sees person-level data only in its districts.
	RoleDistrict Role = "district"
	// RolePartner sees aggregates only, with disclosure control.
	RolePartner Role = "partner"
)

// Roles lists every role, most privileged first.
var Roles = []Role{RoleAdmin, RoleAnalyst, RolePolice, RoleDistrict, RolePartner}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Principal is an authenticated caller.
type Principal struct {
	Subject   string   // "token:12" or the OIDC subject; never a person in the data
	Label     string   // a human label for logs and the audit
	Role      Role     //
	Districts []string // for RoleDistrict: the districts it may see person-level
}

// PersonLevel reports whether p may read person-level data at all.
func (p Principal) PersonLevel() bool {
	switch p.Role {
	case RoleAnalyst, RolePolice, RoleDistrict:
		return true
	}
	return false
}

// AggregatesOnly reports whether p's counts must pass disclosure control.
func (p Principal) AggregatesOnly() bool { return p.Role == RolePartner }

// Scope returns the districts whose person-level rows p may read: nil means
// all of them; an empty non-nil slice means none.
func (p Principal) Scope() []string {
	switch p.Role {
	case RoleAnalyst, RolePolice:
		return nil
	case RoleDistrict:
		return slices.Clone(p.Districts)
	}
	return []string{}
}

// InScope reports whether p may read person-level rows of district d.
func (p Principal) InScope(d *string) bool {
	s := p.Scope()
	if s == nil {
		return true
	}
	return d != nil && slices.Contains(s, *d)
}

// CanWrite reports whether p may create or change graph records.
func (p Principal) CanWrite() bool {
	switch p.Role {
	case RoleAnalyst, RolePolice, RoleDistrict:
		return true
	}
	return false
}

// SeesAdults reports whether p may read adults of concern: police
// intelligence, kept from roles that work with the young people.
func (p Principal) SeesAdults() bool {
	return p.Role == RoleAnalyst || p.Role == RolePolice
}
