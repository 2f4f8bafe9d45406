package backup

import (
	"bytes"
	"cmp"
	"math"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Documents are written in _id order, never in the order the store returns
// them: SQLite keeps rows in insertion order, so a backup in that order would
// carry the arrival order of anonymous responses into every copy of it.

// idRank is MongoDB's order of BSON types for comparison (numbers together).
func idRank(t bson.Type) int {
	switch t {
	case bson.TypeMinKey:
		return 0
	case bson.TypeNull:
		return 2
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		return 3
	case bson.TypeString:
		return 4
	case bson.TypeEmbeddedDocument:
		return 5
	case bson.TypeArray:
		return 6
	case bson.TypeBinary:
		return 7
	case bson.TypeObjectID:
		return 8
	case bson.TypeBoolean:
		return 9
	case bson.TypeDateTime:
		return 10
	case bson.TypeTimestamp:
		return 11
	case bson.TypeRegex:
		return 12
	case bson.TypeMaxKey:
		return 100
	default:
		return 50
	}
}

// compareIDs orders two _id values as MongoDB sorts them for the types the
// service stores (strings, binary, ObjectIds, numbers); values of other types
// are ordered by their encoded bytes, which is stable if not MongoDB's order.
func compareIDs(a, b bson.RawValue) int {
	if c := cmp.Compare(idRank(a.Type), idRank(b.Type)); c != 0 {
		return c
	}
	switch a.Type {
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble:
		return cmp.Compare(number(a), number(b))
	case bson.TypeString:
		return cmp.Compare(a.StringValue(), b.StringValue())
	case bson.TypeBinary:
		// MongoDB: shorter first, then subtype, then the bytes.
		sa, da := a.Binary()
		sb, db := b.Binary()
		if c := cmp.Compare(len(da), len(db)); c != 0 {
			return c
		}
		if c := cmp.Compare(sa, sb); c != 0 {
			return c
		}
		return bytes.Compare(da, db)
	}
	return bytes.Compare(a.Value, b.Value)
}

func number(v bson.RawValue) float64 {
	switch v.Type {
	case bson.TypeInt32:
		return float64(v.Int32())
	case bson.TypeInt64:
		return float64(v.Int64())
	case bson.TypeDouble:
		return v.Double()
	}
	return math.NaN()
}
