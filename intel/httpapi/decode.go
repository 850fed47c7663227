package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/contextmap/contextmap/intel"
)

// decodeStrict reads a JSON object into the struct at dst, field by field,
// so every unknown field and every field of the wrong type is reported by
// name, all at once.
func decodeStrict(body []byte, dst any) error {
	// JSON's whitespace only (RFC 8259: space, tab, line feed, carriage
	// return): bytes.TrimSpace would also drop a form feed, which is not JSON.
	body = bytes.Trim(body, " \t\n\r")
	if len(body) == 0 {
		return intel.Invalid("body", "is empty: send a JSON object")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return intel.Invalid("body", fmt.Sprintf("is not valid JSON (at byte %d)", se.Offset))
		}
		return intel.Invalid("body", "must be a JSON object")
	}
	if raw == nil {
		return intel.Invalid("body", "must be a JSON object")
	}
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	var val intel.Validation
	for _, k := range sortedKeys(raw) {
		i, ok := fields[k]
		if k == "" {
			val.Add("body", "has a member with an empty name")
			continue
		}
		if !ok {
			val.Add(k, "is not a known field")
			continue
		}
		if err := json.Unmarshal(raw[k], v.Field(i).Addr().Interface()); err != nil {
			val.Add(k, reasonOf(err))
		}
	}
	return val.Err()
}

func reasonOf(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := ""
		if te.Field != "" {
			f = " at " + te.Field
		}
		return fmt.Sprintf("has the wrong type%s: want %s, got %s", f, jsonType(te.Type), te.Value)
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	if strings.HasPrefix(msg, "parsing time") || strings.HasPrefix(msg, "Time.UnmarshalJSON") {
		return "is not a time: want RFC 3339, e.g. 2020-12-31T22:00:00Z"
	}
	return msg
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// A type that reads itself from text (a grade, a date) is a string in
	// JSON, whatever its Go kind.
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Small maps: insertion sort keeps this free of imports.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
