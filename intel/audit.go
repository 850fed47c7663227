package intel

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
)

// AuditRecord is one consultation or disclosure of person-level data.
type AuditRecord struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	ActorLabel string    `json:"actor_label"`
	Role       Role      `json:"role"`
	Action     string    `json:"action"` // read, create, update, delete, erase, export, retention
	Route      string    `json:"route"`  // the route pattern, e.g. GET /api/v1/people/:id
	Params     string    `json:"params"` // JSON: path and query parameters
	PersonIDs  []int64   `json:"person_ids"`
	Purpose    string    `json:"purpose"`
	Status     int       `json:"status"`
	PrevHash   []byte    `json:"prev_hash"`
	Hash       []byte    `json:"hash"`
}

// ChainHash is the record's hash: HMAC-SHA256, under a key kept outside
// the database, of the previous hash and every field in a fixed, unambiguous
// encoding (each field length-prefixed). Keyed, so someone with write access
// to the database alone cannot recompute a consistent chain after tampering.
func (r AuditRecord) ChainHash(key []byte) []byte {
	h := hmac.New(sha256.New, key)
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(string(r.PrevHash))
	field(strconv.FormatInt(r.Seq, 10))
	field(r.At.UTC().Format(time.RFC3339Nano))
	field(r.Actor)
	field(r.ActorLabel)
	field(string(r.Role))
	field(r.Action)
	field(r.Route)
	field(r.Params)
	ids := make([]string, len(r.PersonIDs))
	for i, id := range r.PersonIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	field(strings.Join(ids, ","))
	field(r.Purpose)
	field(strconv.Itoa(r.Status))
	return h.Sum(nil)
}
