package codec

import "github.com/thesyncim/gopus"

func hasLBRR(p []byte) bool { return gopus.PacketHasLBRR(p) }
