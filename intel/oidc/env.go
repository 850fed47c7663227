package oidc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/contextmap/contextmap/intel"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvIssuer        = "CONTEXTMAP_OIDC_ISSUER"
	EnvAudience      = "CONTEXTMAP_OIDC_AUDIENCE"
	EnvRoleClaim     = "CONTEXTMAP_OIDC_ROLE_CLAIM"
	EnvRoleMap       = "CONTEXTMAP_OIDC_ROLE_MAP"
	EnvDistrictClaim = "CONTEXTMAP_OIDC_DISTRICT_CLAIM"
)

// ParseRoleMap reads "claimValue=role,claimValue=role", for example
// "ContextMap.Analyst=analyst,ContextMap.Police=police". Spaces around items
// are ignored, as are empty items; every role must be a contextmap role and
// a claim value may appear once.
func ParseRoleMap(s string) (map[string]intel.Role, error) {
	m := map[string]intel.Role{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, r, ok := strings.Cut(item, "=")
		k, r = strings.TrimSpace(k), strings.TrimSpace(r)
		if !ok || k == "" {
			return nil, fmt.Errorf("role map item %q: want claimValue=role", item)
		}
		role := intel.Role(r)
		if !role.Valid() {
			return nil, fmt.Errorf("role map item %q: %q is not a role (want one of %v)", item, r, intel.Roles)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("role map: %q appears twice", k)
		}
		m[k] = role
	}
	if len(m) == 0 {
		return nil, errors.New("role map is empty")
	}
	return m, nil
}

// ConfigFromEnv reads the CONTEXTMAP_OIDC_* variables through getenv
// (os.Getenv in the service). It returns nil, nil when the issuer is unset:
// OIDC is off. New checks the rest of the configuration.
func ConfigFromEnv(getenv func(string) string) (*Config, error) {
	issuer := strings.TrimSpace(getenv(EnvIssuer))
	if issuer == "" {
		return nil, nil
	}
	cfg := &Config{
		Issuer:        issuer,
		Audience:      strings.TrimSpace(getenv(EnvAudience)),
		RoleClaim:     strings.TrimSpace(getenv(EnvRoleClaim)),
		DistrictClaim: strings.TrimSpace(getenv(EnvDistrictClaim)),
	}
	if cfg.Audience == "" {
		return nil, fmt.Errorf("%s is set but %s is not", EnvIssuer, EnvAudience)
	}
	if err := checkIssuer(issuer); err != nil {
		return nil, fmt.Errorf("%s: %w", EnvIssuer, err)
	}
	rm := getenv(EnvRoleMap)
	if strings.TrimSpace(rm) == "" {
		return nil, fmt.Errorf("%s is set but %s is not", EnvIssuer, EnvRoleMap)
	}
	m, err := ParseRoleMap(rm)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvRoleMap, err)
	}
	cfg.RoleMap = m
	return cfg, nil
}
