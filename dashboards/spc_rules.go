package dashboards

// flagSpecialCause applies the four rules to one group, the strongest rule
// winning where several flag a point.
func flagSpecialCause(pts []SPCPoint) {
	if len(pts) < MinSPCPoints {
		return
	}
	side, near := sidesOf(pts)
	mark := func(i int, rule string, dir int) {
		// A point in two trends takes the later one's direction.
		if rank(rule) < rank(pts[i].Rule) || (rule == RuleTrend && pts[i].Rule == RuleTrend) {
			pts[i].Rule, pts[i].direction = rule, dir
		}
	}
	markTrendsAndRuns(pts, side, mark)
	markTwoOfThree(side, near, mark)
	for i, p := range pts {
		if p.Value > p.Upper || p.Value < p.Lower {
			mark(i, RuleBeyondLimit, side[i])
		}
	}
}

// sidesOf gives each point's side of the mean (+1, -1, or 0 on it) and
// whether it lies in the outer third, between two and three sigma.
func sidesOf(pts []SPCPoint) (side []int, near []bool) {
	side, near = make([]int, len(pts)), make([]bool, len(pts))
	for i, p := range pts {
		side[i] = sign(p.Value - p.Mean)
		beyond := p.Value > p.Upper || p.Value < p.Lower
		near[i] = !beyond && (p.Value > p.nearUpper || p.Value < p.nearLower)
	}
	return side, near
}

// markTrendsAndRuns marks every 7 points that rise or fall each month, and
// every 7 points on one side of the mean.
func markTrendsAndRuns(pts []SPCPoint, side []int, mark func(i int, rule string, dir int)) {
	for i := 6; i < len(pts); i++ {
		if d := trendEndingAt(pts, i); d != 0 {
			for j := i - 6; j <= i; j++ {
				mark(j, RuleTrend, d)
			}
		}
		if runEndingAt(side, i) {
			for j := i - 6; j <= i; j++ {
				mark(j, RuleRun, side[j])
			}
		}
	}
}

// markTwoOfThree marks the near points where two of three in a row lie in
// the outer third on the same side of the mean.
func markTwoOfThree(side []int, near []bool, mark func(i int, rule string, dir int)) {
	for i := 0; i+2 < len(side); i++ {
		if !sameSide(side[i:i+3]) || countTrue(near[i:i+3]) < 2 {
			continue
		}
		for j := i; j < i+3; j++ {
			if near[j] {
				mark(j, RuleTwoOfThree, side[j])
			}
		}
	}
}

// sameSide says whether every point is on the same side of the mean (none on it).
func sameSide(side []int) bool {
	for _, s := range side {
		if s == 0 || s != side[0] {
			return false
		}
	}
	return true
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// trendEndingAt is +1 if the 7 points ending at i rise each month, -1 if
// they fall each month, and 0 otherwise (a month equal to the one before
// breaks a trend).
func trendEndingAt(pts []SPCPoint, i int) int {
	d := sign(pts[i].Value - pts[i-1].Value)
	if d == 0 {
		return 0
	}
	for j := i - 5; j <= i; j++ {
		if sign(pts[j].Value-pts[j-1].Value) != d {
			return 0
		}
	}
	return d
}

// runEndingAt says whether the 7 points ending at i lie on one side of the
// mean (a point on the mean breaks a run).
func runEndingAt(side []int, i int) bool {
	if side[i] == 0 {
		return false
	}
	for j := i - 6; j < i; j++ {
		if side[j] != side[i] {
			return false
		}
	}
	return true
}

func rank(rule string) int {
	switch rule {
	case RuleBeyondLimit:
		return 0
	case RuleTrend:
		return 1
	case RuleTwoOfThree:
		return 2
	case RuleRun:
		return 3
	}
	return 4
}
