package httpapi

import (
	"bytes"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
	"github.com/contextmap/contextmap/intel/ingest"
	"github.com/contextmap/contextmap/intel/postgres"
)

// MediaNDJSON is the import's newline-delimited JSON; the other media
// types are with the API's vocabulary in ogcapi.go.
const MediaNDJSON = "application/x-ndjson"

func (s *Server) importRoutes(api fiber.Router) {
	api.Post("/import", s.importData)
}

// formatOf names the import format of a media type ("" to tell from the
// content).
func formatOf(mediaType string) (string, error) {
	mt, _, err := mime.ParseMediaType(mediaType)
	if mediaType == "" {
		return "", nil
	}
	if err != nil {
		return "", intel.Invalid("Content-Type", "is not a media type")
	}
	switch mt {
	case MediaNDJSON, "application/ndjson", "application/jsonl", "application/json-seq":
		return ingest.FormatNDJSON, nil
	case MediaCSV, "application/csv":
		return ingest.FormatCSV, nil
	case MediaGeoJSON:
		return ingest.FormatGeoJSON, nil
	case "application/octet-stream", "text/plain":
		return "", nil
	}
	return "", intel.Invalid("Content-Type", "must be "+MediaNDJSON+", "+MediaCSV+" (with ?type=), "+MediaGeoJSON+
		" or multipart/form-data with a file part")
}

// importData imports a file sent as the body (NDJSON, CSV with ?type=,
// GeoJSON) or as the part "file" of a multipart form. Each file, or each
// ?batch= rows of it, is all or nothing; every bad row is listed in the
// problem's errors with its line. ?dry_run=true checks without writing.
// ?mode= chooses how events are written (auto, normal, initial:
// docs/IMPORT.md).
// The body limit (CONTEXTMAP_BODY_LIMIT) and request timeout bound what one
// request may carry: bulk loads go through `contextmap import`.
func (s *Server) importData(c *fiber.Ctx) error {
	pr, err := needWriter(c)
	if err != nil {
		return err
	}
	dry, err := optBool(c, "dry_run")
	if err != nil {
		return err
	}
	mode, err := postgres.ParseImportMode(query(c, "mode"))
	if err != nil {
		return err
	}
	if mode == postgres.ImportInitial {
		// A forced initial load locks the events tables for every reader
		// and writer while it runs: an operator's decision, not any
		// writer's. auto still takes it for a large batch into an empty
		// events table.
		return intel.Invalid("mode", "initial is for operators: contextmap import --mode initial (auto takes it when the events table is empty)")
	}
	opt := postgres.ImportOptions{DryRun: dry != nil && *dry, Mode: mode}
	if b := c.Query("batch"); b != "" {
		n, err := strconv.Atoi(b)
		if err != nil || n < 1 {
			return intel.Invalid("batch", "must be a positive number of rows")
		}
		opt.BatchRows = n
	}
	typ := query(c, "type")
	if typ != "" && typ != ingest.FormatPoliceUK {
		if _, ok := ingest.CSVColumns[typ]; !ok {
			return intel.Invalid("type", "must be one of "+strings.Join(ingest.Types, ", ")+" or "+ingest.FormatPoliceUK)
		}
	}
	var body io.Reader
	ct := strings.Clone(c.Get(fiber.HeaderContentType))
	format := ""
	if strings.HasPrefix(strings.ToLower(ct), fiber.MIMEMultipartForm) {
		fh, err := c.FormFile("file")
		if err != nil {
			return intel.Invalid("file", "a multipart import needs its file in the part named file")
		}
		if format, err = formatOf(fh.Header.Get(fiber.HeaderContentType)); err != nil {
			return err
		}
		if format == "" {
			format, typ = fromName(fh.Filename, typ)
		}
		f, err := fh.Open()
		if err != nil {
			return intel.Invalid("file", "cannot be read")
		}
		defer f.Close()
		body = f
	} else {
		if format, err = formatOf(ct); err != nil {
			return err
		}
		// The body is Fiber's buffer, reused after the handler returns; the
		// import is over by then.
		body = bytes.NewReader(c.Body())
	}
	if typ == ingest.FormatPoliceUK {
		format, typ = ingest.FormatPoliceUK, ""
	}
	rd, err := ingest.Open(body, format, typ)
	if err != nil {
		return err
	}
	res, ierr := s.DB.Import(c.UserContext(), pr, rd, opt)
	status := fiber.StatusOK
	if ierr != nil {
		status = statusOf(intel.ErrorCode(ierr))
	}
	if res.Batches > 0 || res.ErrorTotal > 0 {
		if err := s.audit(c, "import", status, res.PersonIDs); err != nil {
			return err
		}
	}
	if ierr != nil {
		return ierr
	}
	return c.JSON(res)
}

// fromName takes the format, and the record type unless given, from a
// file name.
func fromName(name, typ string) (string, string) {
	format, t := ingest.FromName(name)
	if typ == "" {
		typ = t
	}
	return format, typ
}
