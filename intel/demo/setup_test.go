package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/contextmap/contextmap/intel/postgres"
)

// openTestDB creates a throwaway, migrated PostGIS database on the cluster
// named by CONTEXTMAP_TEST_ADMIN_URL (a superuser URL) and drops it when the
// test ends. The test is skipped when the variable is unset.
func openTestDB(t *testing.T) *postgres.DB {
	t.Helper()
	admin := os.Getenv("CONTEXTMAP_TEST_ADMIN_URL")
	if admin == "" {
		t.Skip("CONTEXTMAP_TEST_ADMIN_URL is not set: no PostGIS to test against")
	}
	ctx := context.Background()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "cm_demo_test_" + hex.EncodeToString(b)

	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to the admin database: %v", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		t.Fatalf("create database: %v", err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			t.Errorf("connect to drop %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})

	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse CONTEXTMAP_TEST_ADMIN_URL: %v", err)
	}
	u.Path = "/" + name
	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	for _, ext := range []string{"postgis", "btree_gist"} {
		if _, err := db.Pool.Exec(ctx, "CREATE EXTENSION "+ext); err != nil {
			t.Fatalf("create extension %s: %v", ext, err)
		}
	}
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return db
}
