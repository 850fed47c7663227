package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// errRateLimited says a refresh was wanted but one was tried too recently.
var errRateLimited = errors.New("key refresh skipped: the last one was under 30 s ago")

// errBusy says another caller is refreshing the keys.
var errBusy = errors.New("key refresh under way")

// keySet is one fetched JWKS, indexed by kid. It is never changed after it
// is built; a refresh replaces it whole.
type keySet struct {
	byKid   map[string][]jose.JSONWebKey
	fetched time.Time
}

// keyCache holds the issuer's signing keys and fetches them again when a
// token names an unknown kid or the keys are older than maxKeyAge, at most
// once every minRefresh whatever the callers do.
type keyCache struct {
	issuer string
	client *http.Client
	now    func() time.Time

	mu      sync.RWMutex
	current *keySet // nil until the first successful fetch

	// sem admits one refresh at a time; waiting on a channel rather than a
	// mutex lets a caller give up when its context ends.
	sem         chan struct{}
	lastAttempt time.Time // under sem
	jwksURI     string    // under sem; "" until discovery succeeds
}

func newKeyCache(issuer string, client *http.Client, now func() time.Time) *keyCache {
	return &keyCache{issuer: issuer, client: client, now: now, sem: make(chan struct{}, 1)}
}

func (kc *keyCache) snapshot() *keySet {
	kc.mu.RLock()
	defer kc.mu.RUnlock()
	return kc.current
}

// lookup returns the keys named kid, refreshing the set when kid is unknown
// or the set is stale. A failed refresh leaves a stale set in use: an issuer
// outage should not lock everyone out, and maxKeyAge is about noticing
// removals, which a failed fetch cannot tell us about anyway.
func (kc *keyCache) lookup(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	ks := kc.snapshot()
	var known []jose.JSONWebKey
	if ks != nil {
		known = ks.byKid[kid]
		if len(known) > 0 && kc.now().Sub(ks.fetched) < maxKeyAge {
			return known, nil
		}
	}
	// With a known but stale key, a refresh under way elsewhere is no reason
	// to hold this request: use the key we have.
	err := kc.refresh(ctx, ks, len(known) == 0)
	if ks2 := kc.snapshot(); ks2 != nil {
		if keys := ks2.byKid[kid]; len(keys) > 0 {
			return keys, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("kid %.80q not in the cached JWKS: %w", kid, err)
	}
	return nil, fmt.Errorf("kid %.80q not in the issuer's JWKS", kid)
}

// refresh fetches the JWKS unless another caller replaced seen meanwhile or a
// fetch was attempted under minRefresh ago. When wait is false and another
// refresh is under way, it returns errBusy at once.
func (kc *keyCache) refresh(ctx context.Context, seen *keySet, wait bool) error {
	if wait {
		select {
		case kc.sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	} else {
		select {
		case kc.sem <- struct{}{}:
		default:
			return errBusy
		}
	}
	defer func() { <-kc.sem }()

	if kc.snapshot() != seen {
		return nil // someone else refreshed while we waited
	}
	now := kc.now()
	if !kc.lastAttempt.IsZero() && now.Sub(kc.lastAttempt) < minRefresh {
		return errRateLimited
	}
	kc.lastAttempt = now

	// The fetch outlives a caller that hangs up: otherwise a client that
	// disconnects at once could abort the refresh and, through the rate
	// limit, keep everyone else waiting for keys.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	if kc.jwksURI == "" {
		uri, err := kc.discover(fctx)
		if err != nil {
			return err
		}
		kc.jwksURI = uri
	}
	set, err := kc.fetchJWKS(fctx, kc.jwksURI)
	if err != nil {
		kc.jwksURI = "" // discover again next time: the document may have moved
		return err
	}
	set.fetched = now
	kc.mu.Lock()
	kc.current = set
	kc.mu.Unlock()
	return nil
}

func (kc *keyCache) discover(ctx context.Context) (string, error) {
	u := strings.TrimSuffix(kc.issuer, "/") + "/.well-known/openid-configuration"
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := kc.getJSON(ctx, u, &doc); err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	// OpenID Connect Discovery 1.0 §4.3: the document must name the issuer
	// it was fetched for, exactly.
	if doc.Issuer != kc.issuer {
		return "", fmt.Errorf("discovery: document names issuer %.200q, want %q", doc.Issuer, kc.issuer)
	}
	ju, err := url.Parse(doc.JWKSURI)
	if err != nil || ju.Host == "" {
		return "", fmt.Errorf("discovery: bad jwks_uri %.200q", doc.JWKSURI)
	}
	if err := checkFetchURL(ju); err != nil {
		return "", fmt.Errorf("discovery: jwks_uri: %w", err)
	}
	return doc.JWKSURI, nil
}

// fetchJWKS reads the key set. Keys are parsed one by one so that one key of
// a type we do not know does not hide the others (RFC 7517 §5); only public
// RSA and EC signing keys with a kid are kept.
func (kc *keyCache) fetchJWKS(ctx context.Context, u string) (*keySet, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := kc.getJSON(ctx, u, &doc); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	if len(doc.Keys) > maxKeys {
		return nil, fmt.Errorf("jwks: %d keys, limit %d", len(doc.Keys), maxKeys)
	}
	set := &keySet{byKid: map[string][]jose.JSONWebKey{}}
	for _, raw := range doc.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			continue
		}
		if k.KeyID == "" || !k.Valid() || !k.IsPublic() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		set.byKid[k.KeyID] = append(set.byKid[k.KeyID], k)
	}
	if len(set.byKid) == 0 {
		return nil, errors.New("jwks: no usable signing key")
	}
	return set, nil
}

func (kc *keyCache) getJSON(ctx context.Context, u string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := kc.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocBytes+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > maxDocBytes {
		return fmt.Errorf("GET %s: response over %d bytes", u, maxDocBytes)
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}
