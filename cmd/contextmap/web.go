package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/contextmap/contextmap/intel/httpapi"
)

// webConfig reads the web map's settings: the optional tile layer and, when
// CONTEXTMAP_WEB_CLIENT_ID is set beside CONTEXTMAP_OIDC_ISSUER, the browser
// sign-in, whose endpoints come from the issuer's discovery document.
func webConfig(ctx context.Context, tileURL, tileAttribution, issuer, clientID, scope, label string) (httpapi.WebConfig, error) {
	w := httpapi.WebConfig{TileURL: strings.TrimSpace(tileURL), TileAttribution: strings.TrimSpace(tileAttribution)}
	if err := httpapi.CheckTileURL(w.TileURL); err != nil {
		return w, fmt.Errorf("CONTEXTMAP_TILE_URL: %w", err)
	}
	if w.TileURL != "" && w.TileAttribution == "" {
		return w, errors.New("CONTEXTMAP_TILE_URL is set but CONTEXTMAP_TILE_ATTRIBUTION is not: tile servers require their attribution on the map")
	}
	clientID = strings.TrimSpace(clientID)
	if clientID == "" {
		return w, nil
	}
	if issuer == "" {
		return w, errors.New("CONTEXTMAP_WEB_CLIENT_ID is set but CONTEXTMAP_OIDC_ISSUER is not")
	}
	auth, token, err := discoverEndpoints(ctx, issuer)
	if err != nil {
		return w, fmt.Errorf("web sign-in: %w", err)
	}
	if scope = strings.TrimSpace(scope); scope == "" {
		scope = "openid"
	}
	if label = strings.TrimSpace(label); label == "" {
		label = "your organisation"
	}
	w.OIDC = &httpapi.WebOIDC{AuthorizationEndpoint: auth, TokenEndpoint: token, ClientID: clientID, Scope: scope, Label: label}
	return w, nil
}

// discoverEndpoints reads the authorisation and token endpoints from the
// issuer's OpenID Connect discovery document.
func discoverEndpoints(ctx context.Context, issuer string) (auth, token string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("discovery: %s answered %s", u, resp.Status)
	}
	var doc struct {
		Issuer string `json:"issuer"`
		Auth   string `json:"authorization_endpoint"`
		Token  string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", "", fmt.Errorf("discovery: %w", err)
	}
	if doc.Issuer != issuer {
		return "", "", fmt.Errorf("discovery: the document names issuer %q, want %q", doc.Issuer, issuer)
	}
	for _, e := range []string{doc.Auth, doc.Token} {
		p, err := url.Parse(e)
		if err != nil || p.Host == "" || (p.Scheme != "https" && !(p.Scheme == "http" && isLoopbackHost(p.Hostname()))) {
			return "", "", fmt.Errorf("discovery: endpoint %q must be an https URL", e)
		}
	}
	return doc.Auth, doc.Token, nil
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}
