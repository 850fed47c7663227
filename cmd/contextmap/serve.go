package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/contextmap/contextmap/geo"
	"github.com/contextmap/contextmap/intel/demo"
	"github.com/contextmap/contextmap/intel/httpapi"
	"github.com/contextmap/contextmap/intel/network"
	"github.com/contextmap/contextmap/intel/oidc"
	"github.com/contextmap/contextmap/intel/postgres"
)

func cmdServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	listen := fs.String("listen", env("CONTEXTMAP_LISTEN", "127.0.0.1:8080"), "address to listen on (env CONTEXTMAP_LISTEN)")
	loadDemo := fs.Bool("demo", env("CONTEXTMAP_DEMO", "") == "1", "migrate and load the Cumbria demo if the database is empty (env CONTEXTMAP_DEMO=1)")
	migrate := fs.Bool("migrate", env("CONTEXTMAP_MIGRATE", "true") == "true", "migrate the schema at start (env CONTEXTMAP_MIGRATE)")
	cfg := httpapi.DefaultConfig
	fs.IntVar(&cfg.BodyLimit, "body-limit", envInt("CONTEXTMAP_BODY_LIMIT", cfg.BodyLimit), "largest request body in bytes (env CONTEXTMAP_BODY_LIMIT)")
	fs.DurationVar(&cfg.RequestTimeout, "request-timeout", envDuration("CONTEXTMAP_REQUEST_TIMEOUT", cfg.RequestTimeout), "time limit of one request (env CONTEXTMAP_REQUEST_TIMEOUT)")
	fs.DurationVar(&cfg.ReportTimeout, "report-timeout", envDuration("CONTEXTMAP_REPORT_TIMEOUT", cfg.ReportTimeout), "time limit of one report request, /api/v1/reports/... (env CONTEXTMAP_REPORT_TIMEOUT)")
	fs.IntVar(&cfg.RateLimit, "rate-limit", envInt("CONTEXTMAP_RATE_LIMIT", cfg.RateLimit), "requests per minute per token, 0 for none (env CONTEXTMAP_RATE_LIMIT)")
	readURL := fs.String("read-database-url", env("READ_DATABASE_URL", ""), "PostgreSQL URL of a streaming read replica for map, report and OGC reads (env READ_DATABASE_URL); empty: the primary serves all")
	readMaxLag := fs.Duration("read-max-lag", envDuration("CONTEXTMAP_READ_MAX_LAG", 30*time.Second), "replay lag beyond which reads leave the replica for the primary (env CONTEXTMAP_READ_MAX_LAG)")
	tileURL := fs.String("tile-url", env("CONTEXTMAP_TILE_URL", ""), "web map: optional online tile layer, e.g. https://tile.example/{z}/{x}/{y}.png (env CONTEXTMAP_TILE_URL); empty: offline basemap only")
	tileAttr := fs.String("tile-attribution", env("CONTEXTMAP_TILE_ATTRIBUTION", ""), "web map: the tile layer's attribution (env CONTEXTMAP_TILE_ATTRIBUTION)")
	webClient := fs.String("web-client-id", env("CONTEXTMAP_WEB_CLIENT_ID", ""), "web map: OIDC public client id for browser sign-in (env CONTEXTMAP_WEB_CLIENT_ID; needs CONTEXTMAP_OIDC_ISSUER)")
	webScope := fs.String("web-scope", env("CONTEXTMAP_WEB_SCOPE", ""), "web map: scopes the browser asks for, e.g. \"openid api://contextmap/access_as_user\" (env CONTEXTMAP_WEB_SCOPE)")
	webLabel := fs.String("web-signin-label", env("CONTEXTMAP_WEB_SIGNIN_LABEL", ""), "web map: the provider's name on the sign-in button (env CONTEXTMAP_WEB_SIGNIN_LABEL)")
	webDir := fs.String("web-dir", env("CONTEXTMAP_WEB_DIR", ""), "web map development: serve the page from this directory (e.g. static) instead of the copy built in (env CONTEXTMAP_WEB_DIR)")
	fs.IntVar(&cfg.Disclosure.Threshold, "disclosure-threshold", envInt("CONTEXTMAP_DISCLOSURE_THRESHOLD", geo.DefaultThreshold), "counts of young people from 1 to this minus 1 are hidden from roles without person-level access (env CONTEXTMAP_DISCLOSURE_THRESHOLD)")
	cors := fs.String("cors-origins", env("CONTEXTMAP_CORS_ORIGINS", ""), "comma-separated origins allowed to call the API from a browser (env CONTEXTMAP_CORS_ORIGINS); empty: same origin only")
	err := parse(fs, args)
	if err != nil {
		return err
	}
	if cfg.Disclosure.Threshold < 1 {
		return fmt.Errorf("--disclosure-threshold must be at least 1 (1 hides nothing)")
	}
	for _, o := range strings.Split(*cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	if cfg.Web, err = webConfig(ctx, *tileURL, *tileAttr, os.Getenv("CONTEXTMAP_OIDC_ISSUER"), *webClient, *webScope, *webLabel); err != nil {
		return err
	}
	cfg.Web.Dir = *webDir
	log := d.logger()
	db, err := d.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if *readURL != "" {
		if err := db.OpenReader(ctx, *readURL, postgres.ReaderOptions{MaxLag: *readMaxLag, Log: log}); err != nil {
			return err
		}
		inUse, _ := db.ReaderHealthy()
		log.Info("read replica configured", "in_use", inUse)
	}
	if *migrate || *loadDemo {
		if err := db.Migrate(ctx, log); err != nil {
			return err
		}
	}
	if *loadDemo {
		sum, err := demo.Load(ctx, db, demo.DefaultSeed, log)
		if err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		log.Info("demo ready", "summary", fmt.Sprintf("%+v", sum))
	}
	srv := httpapi.New(db, log, cfg)
	ocfg, err := oidc.ConfigFromEnv(os.Getenv)
	if err != nil {
		return fmt.Errorf("OIDC configuration: %w", err)
	}
	if ocfg != nil {
		if srv.OIDC, err = oidc.New(ctx, *ocfg); err != nil {
			return fmt.Errorf("OIDC: %w", err)
		}
		log.Info("OIDC bearer tokens accepted", "issuer", ocfg.Issuer)
	}
	network.NewRefresher(db, log).Start(ctx) // networks recomputed in the background when the graph changes
	errc := make(chan error, 1)
	go func() { errc <- srv.App.Listen(*listen) }()
	log.Info("serving", "url", "http://"+*listen)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// In-flight requests finish (up to the request timeout); then the pool
	// closes (deferred above).
	log.Info("shutting down")
	return srv.App.ShutdownWithTimeout(cfg.RequestTimeout + 5*time.Second)
}

func cmdHealthcheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	listen := fs.String("listen", env("CONTEXTMAP_LISTEN", "127.0.0.1:8080"), "the service's address (env CONTEXTMAP_LISTEN)")
	if err := parse(fs, args); err != nil {
		return err
	}
	host := *listen
	if host != "" && host[0] == ':' {
		host = "127.0.0.1" + host
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/readyz", nil)
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("not ready: " + resp.Status)
	}
	fmt.Fprintln(os.Stdout, "ready")
	return nil
}
