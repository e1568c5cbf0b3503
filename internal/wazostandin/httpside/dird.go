package httpside

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// The wazo-dird part of the stand-in: one profile ("default", the profile
// wazo-dird creates for every tenant, wazo_dird/plugins/config_service/
// plugin.py _auto_create_profile) over three sources, in this order:
//
//   - "phonebook" (backend "phonebook"): the company phone book the stack
//     was given (PhonebookEntry);
//   - "wazo" (backend "wazo"): the stack's users with an extension, as the
//     wazo backend reads them from confd;
//   - "personal" (backend "personal"): each user's personal contacts.
//
// Routes, ACLs, status codes and bodies follow wazo_dird/plugins/
// default_json/http.py and plugins/personal/http.py (docs/wazo-protocol.md,
// wazo-dird (directory)).

const dirdPrefix = "/api/dird/0.1"

// dirdProfile is the only profile the stand-in has.
const dirdProfile = "default"

// Source names of the stand-in's profile.
const (
	sourcePhonebook = "phonebook"
	sourceWazo      = "wazo"
	sourcePersonal  = "personal"
)

// PhonebookEntry is one contact of the company phone book (a wazo-dird
// phonebook source; its fields are the keys the source returns).
type PhonebookEntry struct {
	ID        string // source_entry_id; generated when empty
	Firstname string
	Lastname  string
	Company   string
	Number    string // office number
	Mobile    string
	Email     string
}

// PersonalContact is one personal contact of a user (wazo-dird
// plugins/personal: free-form fields; these are the SDK's).
type PersonalContact struct {
	ID        string
	Firstname string
	Lastname  string
	Company   string // the SDK calls it "entreprise"
	Number    string
	Mobile    string
	Email     string
}

// dirdColumn is one column of the profile's display (wazo-dird
// DisplayColumnSchema: field, title, type, default, number_display).
type dirdColumn struct {
	field, title string
	typ          *string
}

func strp(s string) *string { return &s }

// dirdDisplay is upstream's DEFAULT_DISPLAY_COLUMNS (config_service/
// plugin.py) plus the company column an administrator adds to show a
// contact's company ("Entreprise", a column with no type).
var dirdDisplay = []dirdColumn{
	{"name", "Nom", strp("name")},
	{"firstname", "Prénom", strp("firstname")},
	{"lastname", "Nom de famille", strp("lastname")},
	{"phone", "Numéro", strp("number")},
	{"phone_mobile", "Mobile", strp("number")},
	{"voicemail", "Boîte vocale", strp("voicemail")},
	{"favorite", "Favoris", strp("favorite")},
	{"email", "E-mail", strp("email")},
	{"company", "Entreprise", nil},
}

// dirdEntry is one result of a source before formatting.
type dirdEntry struct {
	source, backend, id string
	fields              map[string]any
	searched            []string // searched_columns values
	matched             []string // first_matched_columns values (reverse)
	userUUID            *string
}

// dirdStore is the dird data: the phone book, personal contacts and
// favourites. Safe for concurrent use.
type dirdStore struct {
	mu        sync.Mutex
	phonebook []PhonebookEntry
	personal  map[string][]PersonalContact  // by user uuid
	favorites map[string]map[[2]string]bool // user uuid → {source, id}
	seq       int
	down      bool
}

func newDirdStore() *dirdStore {
	return &dirdStore{personal: map[string][]PersonalContact{}, favorites: map[string]map[[2]string]bool{}}
}

// AddPhonebook adds entries to the company phone book.
func (s *Side) AddPhonebook(entries ...PhonebookEntry) {
	d := s.dird
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range entries {
		if e.ID == "" {
			d.seq++
			e.ID = fmt.Sprintf("pb-%d", d.seq)
		}
		d.phonebook = append(d.phonebook, e)
	}
}

// AddPersonalContact adds a personal contact of userUUID and returns it
// with its id.
func (s *Side) AddPersonalContact(userUUID string, c PersonalContact) PersonalContact {
	d := s.dird
	d.mu.Lock()
	defer d.mu.Unlock()
	if c.ID == "" {
		d.seq++
		c.ID = fmt.Sprintf("00000000-0000-4000-8000-%012d", d.seq)
	}
	d.personal[userUUID] = append(d.personal[userUUID], c)
	return c
}

// AddFavorite marks source/id as a favourite of userUUID (as PUT
// /directories/favorites/{source}/{id} would).
func (s *Side) AddFavorite(userUUID, source, id string) {
	d := s.dird
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.favorites[userUUID] == nil {
		d.favorites[userUUID] = map[[2]string]bool{}
	}
	d.favorites[userUUID][[2]string{source, id}] = true
}

// SetDirdDown makes every wazo-dird route answer as nginx does when the
// service is stopped: 502 Bad Gateway with an HTML page.
func (s *Side) SetDirdDown(down bool) {
	s.dird.mu.Lock()
	s.dird.down = down
	s.dird.mu.Unlock()
}

func (d *dirdStore) isDown() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.down
}

// entries lists every source's entries for user, in profile order.
func (s *Side) dirdEntries(userUUID string) []dirdEntry {
	d := s.dird
	d.mu.Lock()
	pb := slices.Clone(d.phonebook)
	pers := slices.Clone(d.personal[userUUID])
	d.mu.Unlock()
	var out []dirdEntry
	for _, e := range pb {
		name := strings.TrimSpace(e.Firstname + " " + e.Lastname)
		out = append(out, dirdEntry{source: sourcePhonebook, backend: "phonebook", id: e.ID,
			fields: map[string]any{"id": e.ID, "firstname": e.Firstname, "lastname": e.Lastname, "name": name,
				"company": e.Company, "number": e.Number, "mobile": e.Mobile, "email": e.Email,
				"phone": e.Number, "phone_mobile": e.Mobile, "reverse": name},
			searched: []string{e.Firstname, e.Lastname, name, e.Company, e.Number, e.Mobile},
			matched:  []string{e.Number, e.Mobile}})
	}
	for _, u := range s.users.All() {
		exten := ""
		for _, l := range u.Lines {
			for _, x := range l.Extensions {
				if exten == "" {
					exten = x.Exten
				}
			}
		}
		if exten == "" {
			continue
		}
		uuid := u.UUID
		name := u.DisplayName()
		id := uuid
		out = append(out, dirdEntry{source: sourceWazo, backend: "wazo", id: id, userUUID: &uuid,
			fields: map[string]any{"id": id, "uuid": uuid, "firstname": u.Firstname, "lastname": u.Lastname,
				"exten": exten, "email": u.Email, "name": name, "phone": exten, "reverse": name},
			searched: []string{u.Firstname, u.Lastname, name, exten},
			matched:  []string{exten}})
	}
	for _, c := range pers {
		name := strings.TrimSpace(c.Firstname + " " + c.Lastname)
		out = append(out, dirdEntry{source: sourcePersonal, backend: "personal", id: c.ID,
			fields: map[string]any{"id": c.ID, "firstname": c.Firstname, "lastname": c.Lastname, "name": name,
				"company": c.Company, "number": c.Number, "mobile": c.Mobile, "email": c.Email,
				"phone": c.Number, "phone_mobile": c.Mobile, "reverse": name},
			searched: []string{c.Firstname, c.Lastname, c.Number, c.Mobile},
			matched:  []string{c.Number, c.Mobile}})
	}
	return out
}

func (s *Side) isFavorite(userUUID string, e dirdEntry) bool {
	s.dird.mu.Lock()
	defer s.dird.mu.Unlock()
	return s.dird.favorites[userUUID][[2]string{e.source, e.id}]
}

// formatResults is _ResultFormatter.format_results (default_json/http.py).
func (s *Side) formatResults(userUUID string, entries []dirdEntry, allFavorite bool) map[string]any {
	headers := make([]string, len(dirdDisplay))
	types := make([]*string, len(dirdDisplay))
	for i, c := range dirdDisplay {
		headers[i], types[i] = c.title, c.typ
	}
	results := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		fav := allFavorite || s.isFavorite(userUUID, e)
		values := make([]any, len(dirdDisplay))
		for i, c := range dirdDisplay {
			switch {
			case c.field == "favorite":
				values[i] = fav
			default:
				if v, ok := e.fields[c.field]; ok && v != "" {
					values[i] = v
				}
			}
		}
		id := e.id
		results = append(results, map[string]any{
			"column_values": values,
			"relations": map[string]any{"xivo_id": s.cfg.StackUUID, "agent_id": nil, "user_id": nil,
				"user_uuid": e.userUUID, "endpoint_id": nil, "source_entry_id": &id},
			"source":  e.source,
			"backend": e.backend,
		})
	}
	return map[string]any{"column_headers": headers, "column_types": types, "results": results}
}

func (s *Side) dirdRoutes(mux *http.ServeMux) {
	const p = dirdPrefix
	profileACL := func(format string) func(*http.Request) string {
		return func(r *http.Request) string { return fmt.Sprintf(format, r.PathValue("profile")) }
	}
	// GET /directories/lookup/{profile}, /favorites/{profile},
	// /personal/{profile} and /{profile}/sources (dirdsources.go) overlap
	// for Go's mux (a profile named "lookup"); one handler dispatches them
	// as Flask's routing does, the fixed word first.
	byWord := map[string]http.HandlerFunc{
		"lookup":    s.dirdHandler(profileACL("dird.directories.lookup.%s.read"), s.dirdLookup),
		"favorites": s.dirdHandler(profileACL("dird.directories.favorites.%s.read"), s.dirdFavorites),
		"personal":  s.dirdHandler(profileACL("dird.directories.personal.%s.read"), s.dirdPersonalFormatted),
	}
	mux.HandleFunc("GET "+p+"/directories/{first}/{second}", func(w http.ResponseWriter, r *http.Request) {
		first, second := r.PathValue("first"), r.PathValue("second")
		if h, ok := byWord[first]; ok {
			r.SetPathValue("profile", second)
			h(w, r)
			return
		}
		if second == "sources" {
			r.SetPathValue("profile", first)
			s.listProfileSources(w, r)
			return
		}
		http.NotFound(w, r)
	})
	mux.HandleFunc("GET "+p+"/directories/reverse/{profile}/{user}", s.dirdHandler(func(r *http.Request) string {
		return "dird.directories.reverse." + r.PathValue("profile") + "." + r.PathValue("user") + ".read"
	}, s.dirdReverse))
	favACL := func(verb string) func(*http.Request) string {
		return func(r *http.Request) string {
			return "dird.directories.favorites." + r.PathValue("directory") + "." + r.PathValue("contact") + "." + verb
		}
	}
	mux.HandleFunc("PUT "+p+"/directories/favorites/{directory}/{contact}", s.dirdHandler(favACL("update"), s.dirdFavoritePut))
	mux.HandleFunc("DELETE "+p+"/directories/favorites/{directory}/{contact}", s.dirdHandler(favACL("delete"), s.dirdFavoriteDelete))
	mux.HandleFunc("GET "+p+"/personal", s.dirdHandler(fixedACL("dird.personal.read"), s.dirdPersonalList))
}

// dirdHandler checks the token and ACL like calldHandler (xivo
// auth_verifier: the same 401 envelope), and answers 502 while dird is
// "down".
func (s *Side) dirdHandler(acl func(*http.Request) string, fn func(w http.ResponseWriter, r *http.Request, t *token)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.dird.isDown() {
			writeBadGateway(w)
			return
		}
		t, cerr := s.authenticate(r, acl(r))
		if cerr != nil {
			s.writeCalldError(w, cerr)
			return
		}
		fn(w, r, t)
	}
}

// writeBadGateway is nginx's answer for a stopped upstream service.
func writeBadGateway(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = w.Write([]byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"))
}

// noSuchProfile is NoSuchProfile (wazo_dird/exception.py): 404 with the
// wazo-auth style envelope.
func (s *Side) noSuchProfile(w http.ResponseWriter, profile string) {
	s.writeAuthError(w, http.StatusNotFound, "The profile `"+profile+"` does not exist")
}

// dirdLookup is GET /directories/lookup/{profile}?term= (Lookup.get). The
// term is required (reqparse: 400 {"message": {"term": "term is missing"}}).
func (s *Side) dirdLookup(w http.ResponseWriter, r *http.Request, t *token) {
	if r.PathValue("profile") != dirdProfile {
		s.noSuchProfile(w, r.PathValue("profile"))
		return
	}
	q := r.URL.Query()
	if !q.Has("term") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": map[string]string{"term": "term is missing"}})
		return
	}
	term := strings.ToLower(q.Get("term"))
	var hits []dirdEntry
	for _, e := range s.dirdEntries(t.UserUUID) {
		if slices.ContainsFunc(e.searched, func(v string) bool { return v != "" && strings.Contains(strings.ToLower(v), term) }) {
			hits = append(hits, e)
		}
	}
	out := s.formatResults(t.UserUUID, hits, false)
	out["term"] = q.Get("term")
	writeJSON(w, http.StatusOK, out)
}

// dirdReverse is GET /directories/reverse/{profile}/{user_uuid}?exten=
// (Reverse.get): the first entry whose first_matched_columns equal exten;
// {"display": null, "fields": {}, "source": null} when none does.
func (s *Side) dirdReverse(w http.ResponseWriter, r *http.Request, t *token) {
	if r.PathValue("profile") != dirdProfile {
		s.noSuchProfile(w, r.PathValue("profile"))
		return
	}
	q := r.URL.Query()
	if !q.Has("exten") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": map[string]string{"exten": "Missing required parameter in the query string"}})
		return
	}
	exten := q.Get("exten")
	user := r.PathValue("user")
	if user == "me" {
		user = t.UserUUID
	}
	out := map[string]any{"display": nil, "exten": exten, "fields": map[string]any{}, "source": nil}
	for _, e := range s.dirdEntries(user) {
		if exten != "" && slices.Contains(e.matched, exten) {
			out["display"], out["fields"], out["source"] = e.fields["reverse"], e.fields, e.source
			break
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// dirdFavorites is GET /directories/favorites/{profile} (FavoritesRead).
func (s *Side) dirdFavorites(w http.ResponseWriter, r *http.Request, t *token) {
	if r.PathValue("profile") != dirdProfile {
		s.noSuchProfile(w, r.PathValue("profile"))
		return
	}
	var favs []dirdEntry
	for _, e := range s.dirdEntries(t.UserUUID) {
		if s.isFavorite(t.UserUUID, e) {
			favs = append(favs, e)
		}
	}
	writeJSON(w, http.StatusOK, s.formatResults(t.UserUUID, favs, true))
}

func (s *Side) sourceEntry(userUUID, source, id string) (known, found bool) {
	for _, e := range s.dirdEntries(userUUID) {
		if e.source == source {
			known = true
			if e.id == id {
				return true, true
			}
		}
	}
	return known || source == sourcePhonebook || source == sourceWazo || source == sourcePersonal, false
}

// dirdFavoritePut is PUT /directories/favorites/{directory}/{contact}
// (FavoritesWrite.put): 204; 404 "No such source"; 409 on a duplicate.
func (s *Side) dirdFavoritePut(w http.ResponseWriter, r *http.Request, t *token) {
	src, id := r.PathValue("directory"), r.PathValue("contact")
	if known, _ := s.sourceEntry(t.UserUUID, src, id); !known {
		s.writeAuthError(w, http.StatusNotFound, "No such source: "+src)
		return
	}
	d := s.dird
	d.mu.Lock()
	if d.favorites[t.UserUUID] == nil {
		d.favorites[t.UserUUID] = map[[2]string]bool{}
	}
	key := [2]string{src, id}
	dup := d.favorites[t.UserUUID][key]
	d.favorites[t.UserUUID][key] = true
	d.mu.Unlock()
	if dup {
		s.writeAuthError(w, http.StatusConflict, "Adding this favorite would create a duplicate")
		return
	}
	noContent(w)
}

// dirdFavoriteDelete is DELETE …/favorites/{directory}/{contact}: 204, or
// 404 NoSuchFavorite / NoSuchSource.
func (s *Side) dirdFavoriteDelete(w http.ResponseWriter, r *http.Request, t *token) {
	src, id := r.PathValue("directory"), r.PathValue("contact")
	if known, _ := s.sourceEntry(t.UserUUID, src, id); !known {
		s.writeAuthError(w, http.StatusNotFound, "No such source: "+src)
		return
	}
	d := s.dird
	d.mu.Lock()
	key := [2]string{src, id}
	had := d.favorites[t.UserUUID][key]
	delete(d.favorites[t.UserUUID], key)
	d.mu.Unlock()
	if !had {
		s.writeAuthError(w, http.StatusNotFound, fmt.Sprintf("No such favorite: ('%s', '%s')", src, id))
		return
	}
	noContent(w)
}

// dirdPersonalFormatted is GET /directories/personal/{profile}.
func (s *Side) dirdPersonalFormatted(w http.ResponseWriter, r *http.Request, t *token) {
	if r.PathValue("profile") != dirdProfile {
		s.noSuchProfile(w, r.PathValue("profile"))
		return
	}
	var pers []dirdEntry
	for _, e := range s.dirdEntries(t.UserUUID) {
		if e.source == sourcePersonal {
			pers = append(pers, e)
		}
	}
	writeJSON(w, http.StatusOK, s.formatResults(t.UserUUID, pers, false))
}

// dirdPersonalList is GET /personal (PersonalAll.get, JSON): {"items": […]}
// with each contact's own fields and its "id".
func (s *Side) dirdPersonalList(w http.ResponseWriter, _ *http.Request, t *token) {
	s.dird.mu.Lock()
	pers := slices.Clone(s.dird.personal[t.UserUUID])
	s.dird.mu.Unlock()
	items := make([]map[string]string, 0, len(pers))
	for _, c := range pers {
		m := map[string]string{"id": c.ID}
		for k, v := range map[string]string{"firstname": c.Firstname, "lastname": c.Lastname, "entreprise": c.Company,
			"number": c.Number, "mobile": c.Mobile, "email": c.Email} {
			if v != "" {
				m[k] = v
			}
		}
		items = append(items, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
