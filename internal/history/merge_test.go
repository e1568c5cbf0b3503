package history

import (
	"testing"
	"time"
)

func TestMerge(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	loc := func(id, number string, dir Direction, at time.Time, server string) Entry {
		return Entry{ID: id, Source: SourceLocal, Number: number, Direction: dir, StartTime: at, State: StateEnded, ServerCallID: server}
	}
	srv := func(id, number string, dir Direction, at time.Time, conv string) Entry {
		return Entry{ID: "wazo:" + id, Source: SourceWazo, Number: number, Direction: dir, StartTime: at, State: StateEnded, ServerCallID: conv}
	}
	for _, tc := range []struct {
		name   string
		local  []Entry
		server []Entry
		want   []string // ids newest first, with L/S/LS
	}{
		{"same call by time and number", []Entry{loc("a", "1001", DirectionIn, t0, "")},
			[]Entry{srv("1", "1001", DirectionIn, t0.Add(2*time.Second), "")}, []string{"a LS"}},
		{"same call by server id, clocks far apart", []Entry{loc("a", "1001", DirectionOut, t0, "17.3")},
			[]Entry{srv("1", "1001", DirectionOut, t0.Add(time.Minute), "17.3")}, []string{"a LS"}},
		{"numbers written differently", []Entry{loc("a", "01 23 45", DirectionIn, t0, "")},
			[]Entry{srv("1", "012345", DirectionIn, t0, "")}, []string{"a LS"}},
		{"too far apart", []Entry{loc("a", "1001", DirectionIn, t0, "")},
			[]Entry{srv("1", "1001", DirectionIn, t0.Add(11*time.Second), "")}, []string{"wazo:1 S", "a L"}},
		{"other direction", []Entry{loc("a", "1001", DirectionIn, t0, "")},
			[]Entry{srv("1", "1001", DirectionOut, t0, "")}, []string{"a L", "wazo:1 S"}},
		{"other party", []Entry{loc("a", "1001", DirectionIn, t0, "")},
			[]Entry{srv("1", "1002", DirectionIn, t0, "")}, []string{"a L", "wazo:1 S"}},
		{"a server entry matches one local entry only", []Entry{loc("a", "1001", DirectionIn, t0, ""), loc("b", "1001", DirectionIn, t0.Add(5*time.Second), "")},
			[]Entry{srv("1", "1001", DirectionIn, t0.Add(4*time.Second), "")}, []string{"b L", "a LS"}},
		{"in progress kept, matched with nothing", []Entry{{ID: "x", Number: "1001", Direction: DirectionIn, State: StateInProgress, StartTime: t0}},
			[]Entry{srv("1", "1001", DirectionIn, t0, "")}, []string{"x L", "wazo:1 S"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Merge(tc.local, tc.server, 0)
			var ids []string
			for _, m := range got {
				tag := ""
				if m.Local {
					tag += "L"
				}
				if m.Server {
					tag += "S"
				}
				ids = append(ids, m.Entry.ID+" "+tag)
			}
			if len(ids) != len(tc.want) {
				t.Fatalf("got %v, want %v", ids, tc.want)
			}
			for i := range ids {
				if ids[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", ids, tc.want)
				}
			}
		})
	}
}
