package intel

import "slices"

// LinkKinds lists the kinds of link and, for each, the node types allowed at
// each end. Person ends are further split by kind (see LinkRule).
var LinkKinds = []string{"frequents", "member_of", "associates_with", "present_in", "attends",
	"last_seen_at", "found_at", "congregates_at", "linked_to"}

// LinkRule says what a link kind may join. Victims and adults of concern are
// kept apart: a young person's links (frequents, member of, last seen at ...)
// never start at an adult of concern, and an adult's links are "linked to".
type LinkRule struct {
	Source       []string // node types
	SourcePerson string   // when the source is a person, its kind ("" any)
	Target       []string
}

// LinkRules holds the rule for each kind.
var LinkRules = map[string]LinkRule{
	"frequents":       {Source: []string{NodePerson}, SourcePerson: YoungPerson, Target: []string{NodePlace}},
	"member_of":       {Source: []string{NodePerson}, SourcePerson: YoungPerson, Target: []string{NodeGroup}},
	"associates_with": {Source: []string{NodePerson}, Target: []string{NodePerson}},
	"present_in":      {Source: []string{NodePerson, NodeGroup}, SourcePerson: YoungPerson, Target: []string{NodeSpace}},
	"attends":         {Source: []string{NodePerson}, SourcePerson: YoungPerson, Target: []string{NodePlace}},
	"last_seen_at":    {Source: []string{NodePerson}, SourcePerson: YoungPerson, Target: []string{NodePlace}},
	"found_at":        {Source: []string{NodePerson}, SourcePerson: YoungPerson, Target: []string{NodePlace}},
	"congregates_at":  {Source: []string{NodeGroup}, Target: []string{NodePlace}},
	"linked_to":       {Source: []string{NodePerson}, SourcePerson: AdultOfConcern, Target: []string{NodePlace, NodeGroup, NodeSpace, NodePerson}},
}

// CheckEnds reports why a link of kind may not join the given ends, or "".
func (r LinkRule) CheckEnds(srcType, srcPersonKind, dstType string) (field, reason string) {
	if !slices.Contains(r.Source, srcType) {
		return "source_id", "this kind of link cannot start at a " + srcType
	}
	if srcType == NodePerson && r.SourcePerson != "" && srcPersonKind != r.SourcePerson {
		return "source_id", "this kind of link must start at a " + r.SourcePerson
	}
	if !slices.Contains(r.Target, dstType) {
		return "target_id", "this kind of link cannot end at a " + dstType
	}
	return "", ""
}
