package codec

// ITU-T G.722 constant tables in the integer form of the Recommendation's
// computational description, where each processing block (QUANTL, INVQAL,
// LOGSCL, SCALEL, ... ) is specified bit-exactly. The values are facts of
// the standard; the names follow its blocks.

// g722QMF holds the 24 coefficients of the transmit and receive quadrature
// mirror filters, which are symmetric:
// h[i] = h[23-i]. Only the first half is stored, scaled by 2^13.
var g722QMF = [12]int32{3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11}

// g722Q6 are the lower sub-band quantiser decision levels (block QUANTL),
// scaled so that (q6[i]*det)>>12 is the i-th threshold.
var g722Q6 = [32]int32{
	0, 35, 72, 110, 150, 190, 233, 276,
	323, 370, 422, 473, 530, 587, 650, 714,
	786, 858, 940, 1023, 1121, 1219, 1339, 1458,
	1612, 1765, 1980, 2195, 2557, 2919, 0, 0,
}

// g722ILN and g722ILP map a quantiser interval to the 6-bit lower sub-band
// code word for a negative and a non-negative difference (QUANTL).
var (
	g722ILN = [32]uint8{
		0, 63, 62, 31, 30, 29, 28, 27,
		26, 25, 24, 23, 22, 21, 20, 19,
		18, 17, 16, 15, 14, 13, 12, 11,
		10, 9, 8, 7, 6, 5, 4, 0,
	}
	g722ILP = [32]uint8{
		0, 61, 60, 59, 58, 57, 56, 55,
		54, 53, 52, 51, 50, 49, 48, 47,
		46, 45, 44, 43, 42, 41, 40, 39,
		38, 37, 36, 35, 34, 33, 32, 0,
	}
)

// Inverse quantiser outputs for 6, 5 and 4-bit lower sub-band code words
// (blocks INVQBL, for the 64, 56 and 48 kbit/s modes, and INVQAL, whose
// 4-bit output drives the predictor in every mode), and for the 2-bit
// higher sub-band code word (INVQAH).
var (
	g722QM6 = [64]int32{
		-136, -136, -136, -136, -24808, -21904, -19008, -16704,
		-14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
		-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
		-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
		24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
		10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
		4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
		1688, 1360, 1040, 728, 432, 136, -432, -136,
	}
	g722QM5 = [32]int32{
		-280, -280, -23352, -17560, -14120, -11664, -9752, -8184,
		-6864, -5712, -4696, -3784, -2960, -2208, -1520, -880,
		23352, 17560, 14120, 11664, 9752, 8184, 6864, 5712,
		4696, 3784, 2960, 2208, 1520, 880, 280, -280,
	}
	g722QM4 = [16]int32{
		0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
		20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
	}
	g722QM2 = [4]int32{-7408, -1616, 7408, 1616}
)

// Higher sub-band quantiser (QUANTH): the code word for a negative
// and a non-negative difference, by magnitude interval (1: below the
// threshold, 2: above).
var (
	g722IHN = [3]uint8{0, 1, 0}
	g722IHP = [3]uint8{0, 3, 2}
)

// Scale factor adaptation (LOGSCL/LOGSCH, SCALEL/SCALEH): the log-domain
// multipliers of each code word's magnitude class (WL, indexed through
// RL42; WH, indexed through RH2), and the inverse log table ILB.
var (
	g722WL   = [8]int32{-60, -30, 58, 172, 334, 538, 1198, 3042}
	g722RL42 = [16]uint8{0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0}
	g722WH   = [3]int32{0, -214, 798}
	g722RH2  = [4]uint8{2, 1, 2, 1}
	g722ILB  = [32]int32{
		2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
		2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
		2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
		3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
	}
)
