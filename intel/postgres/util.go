package postgres

import (
	"strconv"
	"strings"
)

func itoa(n int) string { return strconv.Itoa(n) }

func replaceAll(s, old, new string) string { return strings.ReplaceAll(s, old, new) }
