// Package migrations holds the database schema as goose migrations, embedded
// in the binary so `contextmap migrate` needs no files beside it.
package migrations

import "embed"

// FS holds the numbered SQL migrations.
//
//go:embed *.sql
var FS embed.FS
