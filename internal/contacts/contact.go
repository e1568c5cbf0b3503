package contacts

import "time"

// Contact is one person or place in the address book.
type Contact struct {
	// ID is assigned by the Book on Add.
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Numbers []Number `json:"numbers,omitempty"`
	// SIP is a SIP address ("sip:alice@example.com") to call the contact.
	SIP     string   `json:"sip,omitempty"`
	Company string   `json:"company,omitempty"`
	Note    string   `json:"note,omitempty"`
	Emails  []string `json:"emails,omitempty"`

	Created time.Time `json:"created,omitzero"`
	Updated time.Time `json:"updated,omitzero"`
}

// Number is one phone number of a contact, as the user or the imported file
// wrote it; matching normalises it (Dialling).
type Number struct {
	// Label says what the number is: "mobile", "work", "home", "fax",
	// "main", "other", or whatever the user typed. May be empty.
	Label string `json:"label,omitempty"`
	Value string `json:"value"`
}
