package demo

import (
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

// DirectoryEntries is the demo company directory (wazo-dird's phone book
// source): the bots, so that a bot calling the user is named with its
// company, and a few people to search for.
func DirectoryEntries() []wazostandin.PhonebookEntry {
	return []wazostandin.PhonebookEntry{
		{ID: "echo", Firstname: "Echo", Lastname: "Test", Company: "Parley Test Lab", Number: "9000"},
		{ID: "tone", Firstname: "Tone", Lastname: "Bot", Company: "Parley Test Lab", Number: "1001"},
		{ID: "chord", Firstname: "Chord", Lastname: "Bot", Company: "Parley Test Lab", Number: "1002"},
		{ID: "busy", Firstname: "Busy", Lastname: "Bot", Company: "Parley Test Lab", Number: "1003"},
		{ID: "helene", Firstname: "Hélène", Lastname: "Martin", Company: "Acme Logistique", Number: "0123456789", Mobile: "0611223344", Email: "helene.martin@acme.example"},
		{ID: "bruno", Firstname: "Bruno", Lastname: "Petit", Company: "Globex", Number: "0499887766"},
		{ID: "support", Firstname: "Support", Lastname: "Desk", Company: "Parley Test Lab", Number: "1005"},
	}
}

// seedDirectory gives the demo user a directory, a personal contact, two
// favourites and three older calls in the server's call history (calls
// made in the demo are added as they end).
func seedDirectory(st *wazostandin.Stack, user string, now time.Time) {
	st.AddPhonebook(DirectoryEntries()...)
	st.AddPersonalContact(user, wazostandin.PersonalContact{ID: "5a8f0c4e-0000-4000-8000-000000000001",
		Firstname: "Sam", Lastname: "Durand", Number: "0655512345"})
	st.AddFavorite(user, "phonebook", "helene")
	st.AddFavorite(user, "phonebook", "echo")
	day := now.UTC().Add(-24 * time.Hour).Truncate(time.Hour)
	st.AddCDR(wazostandin.CDR{Start: day, Answer: day.Add(4 * time.Second), End: day.Add(3*time.Minute + 4*time.Second),
		CallDirection: "inbound", SourceName: "Hélène Martin", SourceExtension: "0123456789",
		DestinationName: "Demo User", DestinationExtension: DefaultExtension, DestinationUserUUID: user})
	st.AddCDR(wazostandin.CDR{Start: day.Add(2 * time.Hour), End: day.Add(2*time.Hour + 25*time.Second),
		CallDirection: "outbound", SourceName: "Demo User", SourceExtension: DefaultExtension, SourceUserUUID: user,
		DestinationName: "Bruno Petit", DestinationExtension: "0499887766", RequestedExtension: "0499887766"})
	st.AddCDR(wazostandin.CDR{Start: day.Add(3 * time.Hour), End: day.Add(3*time.Hour + 30*time.Second),
		CallDirection: "inbound", SourceName: "", SourceExtension: "0611223344",
		DestinationName: "Demo User", DestinationExtension: DefaultExtension, DestinationUserUUID: user})
}
