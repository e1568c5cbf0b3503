package testrig

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestKamailioRegisterUDP(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t)

	// A hand-written REGISTER from a plain UDP socket: proves kamailio is
	// reachable without depending on sipp.
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().String()
	contact := "sip:dora@" + local
	req := strings.Join([]string{
		"REGISTER sip:127.0.0.1 SIP/2.0",
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-rig-1;rport",
		"From: <sip:dora@127.0.0.1>;tag=rig1",
		"To: <sip:dora@127.0.0.1>",
		"Call-ID: rig-" + fmt.Sprint(time.Now().UnixNano()),
		"CSeq: 1 REGISTER",
		"Contact: <" + contact + ">",
		"Expires: 120",
		"Max-Forwards: 70",
		"Content-Length: 0",
		"", "",
	}, "\r\n")
	raddr, err := net.ResolveUDPAddr("udp4", k.UDPAddr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteTo([]byte(req), raddr); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no reply to REGISTER: %v", err)
	}
	if status := strings.SplitN(string(buf[:n]), "\r\n", 2)[0]; status != "SIP/2.0 200 OK" {
		t.Fatalf("REGISTER answered %q", status)
	}
	if got := k.Contacts(t, "dora"); !slices.Contains(got, contact) {
		t.Fatalf("Contacts(dora) = %v, want %s", got, contact)
	}
	if got := k.Contacts(t, "nobody"); len(got) != 0 {
		t.Fatalf("Contacts(nobody) = %v, want none", got)
	}
}

func TestKamailioRegisterWithSipp(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t)
	for _, tr := range []string{"u1", "t1"} {
		user := "carol-" + tr
		s := StartSipp(t, SippOptions{Scenario: "register", Remote: k.UDPAddr, Transport: tr, Keys: map[string]string{"user": user}})
		ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
		res, err := s.Wait(ctx)
		cancel()
		if err != nil || res.Successful != 1 {
			t.Fatalf("sipp register over %s: %v (successful %d)\n%s", tr, err, res.Successful, res.Output)
		}
		got := k.Contacts(t, user)
		if len(got) != 1 || !strings.HasPrefix(got[0], "sip:"+user+"@"+s.Addr()) {
			t.Fatalf("Contacts(%s) = %v, want the sipp contact at %s", user, got, s.Addr())
		}
	}
	if b := k.Bindings(t); len(b) != 2 {
		t.Fatalf("Bindings = %+v, want 2", b)
	}
}

func TestParseULDumpEmpty(t *testing.T) {
	out := "{\n\tDomains: {\n\t\tDomain: {\n\t\t\tDomain: location\n\t\t\tSize: 1024\n\t\t\tAoRs: {\n\t\t\t}\n\t\t}\n\t}\n}\n"
	if b := parseULDump(out); len(b) != 0 {
		t.Fatalf("got %+v", b)
	}
}
