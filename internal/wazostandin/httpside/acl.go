package httpside

import "strings"

// aclMatches reports whether one of the token's ACL patterns grants the
// required access. Patterns are dot-separated words where "*" matches one
// word and "#" matches any number of words, and the word "me" matches both
// "me" and the token's user uuid (wazo-auth's me-substitution, docs/wazo-protocol.md, Authentication).
func aclMatches(patterns []string, required, userUUID string) bool {
	req := strings.Split(required, ".")
	for _, p := range patterns {
		if strings.HasPrefix(p, "!") {
			continue // negative ACLs are not modelled
		}
		if matchWords(strings.Split(p, "."), req, userUUID) {
			return true
		}
	}
	return false
}

func matchWords(pat, req []string, userUUID string) bool {
	for len(pat) > 0 {
		switch pat[0] {
		case "#":
			for i := 0; i <= len(req); i++ {
				if matchWords(pat[1:], req[i:], userUUID) {
					return true
				}
			}
			return false
		case "*":
			if len(req) == 0 {
				return false
			}
		case "me":
			if len(req) == 0 || (req[0] != "me" && req[0] != userUUID) {
				return false
			}
		default:
			if len(req) == 0 || req[0] != pat[0] {
				return false
			}
		}
		pat, req = pat[1:], req[1:]
	}
	return len(req) == 0
}
