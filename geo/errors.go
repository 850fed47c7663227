package geo

import "errors"

// Errors returned by this package, wrapped with context; test with errors.Is.
var (
	// ErrUnsupportedSRID: ProjectionFor knows no projection for the SRID.
	ErrUnsupportedSRID = errors.New("unsupported SRID")
	// ErrInvalidInput: an argument is out of its documented range.
	ErrInvalidInput = errors.New("invalid input")
	// ErrNoVariance: Gi* is undefined when every study-area cell has the
	// same value (S = 0).
	ErrNoVariance = errors.New("no variance in cell values")
	// ErrBandwidth: no usable default KDE bandwidth (too few distinct points).
	ErrBandwidth = errors.New("cannot choose a bandwidth")
	// ErrWriterClosed: a FeatureWriter was used after Close.
	ErrWriterClosed = errors.New("feature writer closed")
)
