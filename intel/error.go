package intel

import (
	"errors"
	"fmt"
)

// Error codes, mapped to HTTP status in exactly one place (httpapi).
const (
	EINVALID      = "invalid"      // bad input: 400
	ENOTFOUND     = "not_found"    // absent, or out of the caller's scope: 404
	EUNAUTHORIZED = "unauthorized" // no or bad credentials: 401
	EFORBIDDEN    = "forbidden"    // the role may not do this: 403
	ECONFLICT     = "conflict"     // clashes with stored data: 409
	ETOOLARGE     = "too_large"    // body or result over a limit: 413
	ERATELIMIT    = "rate_limited" // too many requests: 429
	EUNAVAILABLE  = "unavailable"  // the database cannot be reached: 503
	EINTERNAL     = "internal"     // a bug: 500, details only in the log
)

// FieldError names one bad field (a JSON pointer or parameter name) and why.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Line   int    `json:"line,omitempty"` // for imports: the line of the file
}

// Error is a domain error with a code and a message safe to show a caller.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	Err     error // the cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the given code and message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error for one field.
func Invalid(field, reason string) *Error {
	return &Error{Code: EINVALID, Message: field + ": " + reason, Fields: []FieldError{{Field: field, Reason: reason}}}
}

// NotFound is the answer for absent rows and for rows outside the caller's
// scope alike, so a caller cannot learn that an out-of-scope row exists.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " not found"}
}

// ErrorCode returns the code of err, EINTERNAL when it is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Validation gathers field errors so a caller hears about all of them at once.
type Validation struct{ Fields []FieldError }

// Add records a bad field.
func (v *Validation) Add(field, reason string) {
	v.Fields = append(v.Fields, FieldError{Field: field, Reason: reason})
}

// Err returns nil when nothing was added, else an EINVALID error.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	msg := v.Fields[0].Field + ": " + v.Fields[0].Reason
	if len(v.Fields) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(v.Fields)-1)
	}
	return &Error{Code: EINVALID, Message: msg, Fields: v.Fields}
}
