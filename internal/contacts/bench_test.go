package contacts

import (
	"fmt"
	"path/filepath"
	"testing"
)

// benchBook is a book of n contacts with two numbers each, built in memory.
func benchBook(b *testing.B, n int) *Book {
	b.Helper()
	book, err := Open(filepath.Join(b.TempDir(), "c.json"), Config{Dialling: Dialling{CountryCode: "33"}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		book.contacts = append(book.contacts, Contact{
			ID:   fmt.Sprint(i),
			Name: fmt.Sprintf("Person %d Dupont", i),
			Numbers: []Number{
				{Label: "work", Value: fmt.Sprintf("01 23 %02d %02d %02d", i/10000%100, i/100%100, i%100)},
				{Label: "mobile", Value: fmt.Sprintf("+33 6 12 %02d %02d %02d", i/10000%100, i/100%100, i%100)},
			},
		})
	}
	book.sortLocked()
	return book
}

// BenchmarkSearch is one keystroke in the dial field with 10 000 contacts.
func BenchmarkSearch(b *testing.B) {
	book := benchBook(b, 10000)
	for _, q := range []string{"0612", "dup"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				book.Search(q, 20)
			}
		})
	}
}

// BenchmarkLookup is naming one incoming call with 10 000 contacts.
func BenchmarkLookup(b *testing.B) {
	book := benchBook(b, 10000)
	for b.Loop() {
		book.Lookup("+33699999999")
	}
}
