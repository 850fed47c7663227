package httpapi

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/contextmap/contextmap/intel"
)

// Exports: a whole selection of one collection as a file, in GeoJSON, CSV
// or GeoPackage, with the same role rules as /ogc. Every export is a
// disclosure and is audited (who, when, which collection and selection).

// Export formats.
const (
	ExportGeoJSON    = "geojson"
	ExportCSV        = "csv"
	ExportGeoPackage = "gpkg"
)

var exportFormats = []string{ExportGeoJSON, ExportCSV, ExportGeoPackage}

func (s *Server) exportRoutes(api fiber.Router) {
	api.Get("/exports", s.export)
}

func (s *Server) export(c *fiber.Ctx) error {
	pr := principal(c)
	format := query(c, "format")
	if format == "" {
		format = ExportGeoJSON
	}
	if !slices.Contains(exportFormats, format) {
		return intel.Invalid("format", "must be one of "+strings.Join(exportFormats, ", "))
	}
	id := query(c, "collection")
	if id == "" {
		id = "places"
	}
	var col collection
	var names []string
	for _, cl := range s.collections() {
		names = append(names, cl.meta().ID)
		if cl.meta().ID == id {
			col = cl
		}
	}
	if col == nil {
		return intel.Invalid("collection", "must be one of "+strings.Join(names, ", "))
	}
	if !col.allowed(pr) {
		return intel.Errorf(intel.EFORBIDDEN, "your role may not read the %s collection", id)
	}
	m := col.meta()
	allowed := append([]string{"format", "collection", ParamBBox, ParamDatetime, "purpose"}, filterNames(m)...)
	if err := onlyParams(c, allowed...); err != nil {
		return err
	}
	q, err := parseFeatureSelection(c, m)
	if err != nil {
		return err
	}
	if format == ExportGeoPackage {
		if _, err := exec.LookPath("ogr2ogr"); err != nil {
			return s.notImplemented(c, "GeoPackage export needs GDAL's ogr2ogr on the server's PATH (Debian: apt-get install gdal-bin); GeoJSON and CSV exports work without it")
		}
	}
	// The audit record is written before anything is sent: an export
	// whose disclosure cannot be logged does not happen.
	if err := s.audit(c, "export", fiber.StatusOK, nil); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.streamTimeout())
	it, _, err := col.items(ctx, pr, q, false)
	if err != nil {
		cancel()
		return err
	}
	name := fmt.Sprintf("contextmap-%s-%s", m.ID, time.Now().UTC().Format("20060102T150405Z"))
	if format == ExportGeoPackage {
		defer cancel()
		defer it.Close()
		return s.sendGeoPackage(ctx, c, it, m, name)
	}
	var f intel.Feature
	first := it.Next(&f)
	if !first {
		if err := it.Err(); err != nil {
			it.Close()
			cancel()
			return err
		}
	}
	switch format {
	case ExportCSV:
		c.Set(fiber.HeaderContentType, MediaCSV+"; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
	default:
		c.Set(fiber.HeaderContentType, MediaGeoJSON)
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.geojson"`)
	}
	route, log := strings.Clone(routeOf(c)), s.Log
	if c.Method() == fiber.MethodHead {
		it.Close()
		cancel()
		return nil
	}
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		defer it.Close()
		var fw featureWriter = newGeoJSONWriter(w, m.Fields)
		if format == ExportCSV {
			fw = newCSVWriter(w, m.Fields)
		}
		if _, _, _, err := writePage(fw, it, &f, first, 0, nil); err != nil {
			log.Error("export stream failed", "route", route, "err", err)
		}
	})
	return nil
}

// sendGeoPackage writes the selection as GeoJSON to a private temporary
// directory, has ogr2ogr convert it, and sends the GeoPackage. The files
// are removed before the answer is sent (the open file is read after its
// name is gone), so nothing is left on disk.
func (s *Server) sendGeoPackage(ctx context.Context, c *fiber.Ctx, it intel.FeatureIter, m collectionMeta, name string) error {
	dir, err := os.MkdirTemp("", "contextmap-export-")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.RemoveAll(dir)
	src, dst := filepath.Join(dir, "in.geojson"), filepath.Join(dir, name+".gpkg")
	if err := writeGeoJSONFile(src, it, m.Fields); err != nil {
		return err
	}
	// -nlt GEOMETRY: places mix points and areas.
	cmd := exec.CommandContext(ctx, "ogr2ogr", "-f", "GPKG", dst, src, "-nln", m.ID, "-nlt", "GEOMETRY")
	cmd.Env = append(os.Environ(), "CPL_LOG=OFF", "GDAL_PAM_ENABLED=NO")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("export: ogr2ogr: %w: %s", err, firstLine(out))
	}
	file, err := os.Open(dst)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return fmt.Errorf("export: %w", err)
	}
	c.Set(fiber.HeaderContentType, MediaGeoPackage)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.gpkg"`)
	// fasthttp closes the file once it is sent.
	c.Context().SetBodyStream(file, int(st.Size()))
	return nil
}

func writeGeoJSONFile(path string, it intel.FeatureIter, fields []intel.Field) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	var feat intel.Feature
	first := it.Next(&feat)
	if _, _, _, err := writePage(newGeoJSONWriter(w, fields), it, &feat, first, 0, nil); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("export: %w", err)
	}
	return f.Close()
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

// notImplemented answers 501 as problem+json: a capability this server
// lacks (not an error of the request, not a fault).
func (s *Server) notImplemented(c *fiber.Ctx, detail string) error {
	return c.Status(http.StatusNotImplemented).JSON(Problem{Type: ProblemType + "not_implemented",
		Title: http.StatusText(http.StatusNotImplemented), Status: http.StatusNotImplemented, Detail: detail,
		Instance: c.Path()}, MediaProblemJSON)
}
