package httpside

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// WazoSourceUUID is the uuid of the stand-in's one "wazo" dird source
// (the tenant's internal users, wazo-dird plugins/wazo_user_backend).
const WazoSourceUUID = "5d3f9a51-7e0b-4c36-9a48-2f0c6d1e8b74"

// dirdSourceRoutes serves the two wazo-dird routes that name the colleagues
// (dird.go serves the lookups):
// a profile's sources (plugins/profile_sources/http.py) and the wazo
// source's contacts (plugins/wazo_user_backend/http.py WazoContactList).
func (s *Side) dirdSourceRoutes(mux *http.ServeMux) {
	// GET /directories/{profile}/sources: dispatched by dirdRoutes (dird.go).
	mux.HandleFunc("GET "+dirdPrefix+"/backends/wazo/sources/{source}/contacts", s.listWazoContacts)
}

// listProfileSources: GET /directories/{profile}/sources, ACL
// dird.directories.{profile}.sources.read. The stand-in has one profile
// per line context (the SDK passes the user's primary context) and one
// source in it, the wazo backend. An unknown profile is 404.
func (s *Side) listProfileSources(w http.ResponseWriter, r *http.Request) {
	profile := r.PathValue("profile")
	t, cerr := s.authenticate(r, "dird.directories."+profile+".sources.read")
	if cerr != nil {
		s.writeCalldError(w, cerr)
		return
	}
	known := false
	for _, u := range s.users.All() {
		for _, l := range u.Lines {
			if l.Context == profile && u.TenantUUID == t.TenantUUID {
				known = true
			}
		}
	}
	if !known {
		s.writeChatdError(w, http.StatusNotFound, "unknown-profile", "No such profile: "+profile, map[string]any{"profile": profile}, "profiles")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": 1, "filtered": 1, "items": []any{map[string]any{
		"uuid": WazoSourceUUID, "tenant_uuid": t.TenantUUID, "name": "wazo-" + profile, "backend": "wazo",
	}}})
}

// listWazoContacts: GET /backends/wazo/sources/{source}/contacts, ACL
// dird.backends.wazo.sources.{source}.contacts.read: the tenant's users as
// confd's "directory" view lists them (contact.py), dumped by
// ContactSchema {id, uuid, firstname, lastname, email, exten,
// mobile_phone_number, voicemail_number}; ?search= matches firstname,
// lastname and exten (confd's search), ?limit/offset page, ?uuid=a,b
// filters. total and filtered are both the matched count, as the handler
// copies confd's total into both.
func (s *Side) listWazoContacts(w http.ResponseWriter, r *http.Request) {
	src := r.PathValue("source")
	t, cerr := s.authenticate(r, "dird.backends.wazo.sources."+src+".contacts.read")
	if cerr != nil {
		s.writeCalldError(w, cerr)
		return
	}
	if src != WazoSourceUUID {
		s.writeChatdError(w, http.StatusNotFound, "unknown-source", "No such source: "+src, map[string]any{"uuid": src}, "sources")
		return
	}
	q := r.URL.Query()
	search := strings.ToLower(q.Get("search"))
	var uuids []string
	if v := q.Get("uuid"); v != "" {
		uuids = strings.Split(v, ",")
	}
	items := []map[string]any{}
	for _, u := range s.users.All() {
		if u.TenantUUID != t.TenantUUID {
			continue
		}
		exten := userExten(u)
		if search != "" && !strings.Contains(strings.ToLower(u.Firstname+" "+u.Lastname+" "+exten), search) {
			continue
		}
		if len(uuids) > 0 && !containsStr(uuids, u.UUID) {
			continue
		}
		items = append(items, map[string]any{
			"id": confdUserID(u.UUID), "uuid": u.UUID, "firstname": u.Firstname, "lastname": u.Lastname,
			"email": u.Email, "exten": exten, "mobile_phone_number": "", "voicemail_number": "",
		})
	}
	total := len(items)
	offset, _ := strconv.Atoi(q.Get("offset"))
	if offset > 0 {
		items = items[min(offset, len(items)):]
	}
	if limit, err := strconv.Atoi(q.Get("limit")); err == nil && limit >= 0 && limit < len(items) {
		items = items[:limit]
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "filtered": total, "items": items})
}

func userExten(u directory.User) string {
	for _, l := range u.Lines {
		for _, e := range l.Extensions {
			return e.Exten
		}
	}
	return ""
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
