package windowtest

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// ocrScale is how much the window is enlarged before OCR. Fyne draws 14 px
// text; tesseract reads text best at about twice that height, and misses
// short words ("Hold", "Mute") on buttons at 1×.
const ocrScale = 2

// word is one word tesseract read, with its box in screen coordinates.
type word struct {
	text       string
	conf       float64
	line       string // pass/block/paragraph/line: words of one line share it
	x, y, w, h int
}

// box is a rectangle in screen coordinates.
type box struct{ x, y, w, h int }

func (b box) centre() (int, int) { return b.x + b.w/2, b.y + b.h/2 }

// overlaps reports whether the centre of either box lies in the other.
func (b box) overlaps(o box) bool {
	in := func(p, q box) bool {
		x, y := p.centre()
		return x >= q.x && x < q.x+q.w && y >= q.y && y < q.y+q.h
	}
	return in(b, o) || in(o, b)
}

func (b box) String() string { return fmt.Sprintf("%dx%d at (%d,%d)", b.w, b.h, b.x, b.y) }

// reading is what OCR found on one screenshot.
type reading struct {
	shot  string // the full-screen PNG it was read from
	words []word
}

// greyWindow is the window's part of a screenshot in grey levels.
type greyWindow struct {
	w, h int
	v    []int
}

func cropGrey(src image.Image, win window) greyWindow {
	r := image.Rect(win.x, win.y, win.x+win.w, win.y+win.h).Intersect(src.Bounds())
	g := greyWindow{w: r.Dx(), h: r.Dy(), v: make([]int, r.Dx()*r.Dy())}
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			g.v[y*g.w+x] = int(color.GrayModel.Convert(src.At(r.Min.X+x, r.Min.Y+y)).(color.Gray).Y)
		}
	}
	return g
}

// The readings of a window, each of an image prepared for tesseract; a word
// counts if any reading has it. Every image is enlarged ocrScale times and
// has dark text on a light ground, as tesseract expects.
//
// Fyne's theme draws text of several weights on several grounds, and a
// plain grey conversion loses much of it to tesseract's global threshold:
// low-importance labels ("No calls") and disabled buttons ("Merge calls"
// until there are two calls) are only 15-35 grey levels above their dark
// ground, and the Answer, Decline and Hang up buttons have dark text on a
// bright green or red. So each pixel is judged against its neighbourhood
// instead: text is what stands out from the local mean, amplified. Which
// way it stands out depends on the ground, hence one reading for text
// lighter than its ground (the dark theme's labels) and one for darker
// (coloured buttons; a light theme's labels).
//
// The page segmentation modes miss different words: sparse text (11) drops
// framed buttons (Answer, Decline) and one uniform block (6) drops some
// lone labels (the entry's placeholder), so the light text is read both
// ways. Each reading is one tesseract run (about half a second here).
var preparations = []struct {
	name    string
	lighter bool
	psm     string
}{{"lighter", true, "11"}, {"lighter", true, "6"}, {"darker", false, "6"}}

// localContrast makes the ink of text lighter (or darker) than its
// surroundings black on white.
func localContrast(g greyWindow, lighter bool) *image.Gray {
	w, h, grey := g.w, g.h, g.v
	// Integral image for the local means.
	integ := make([]int, (w+1)*(h+1))
	for y := 0; y < h; y++ {
		row := 0
		for x := 0; x < w; x++ {
			row += grey[y*w+x]
			integ[(y+1)*(w+1)+x+1] = integ[y*(w+1)+x+1] + row
		}
	}
	// The neighbourhood is wider than a letter's stroke and about a line
	// of text high, so a pixel inside a letter is still compared with the
	// ground around it. The gain makes the faintest text (about 20 levels
	// above its ground) nearly black.
	const radius, gain = 10, 10
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0, y1 := max(y-radius, 0), min(y+radius+1, h)
		for x := 0; x < w; x++ {
			x0, x1 := max(x-radius, 0), min(x+radius+1, w)
			area := (x1 - x0) * (y1 - y0)
			s := integ[y1*(w+1)+x1] - integ[y0*(w+1)+x1] - integ[y1*(w+1)+x0] + integ[y0*(w+1)+x0]
			d := grey[y*w+x]*area - s // (v - mean) * area
			// Text lighter than its ground is on a dark ground, and darker
			// text on a light one. Without that condition the ground next
			// to text of the other kind counts as ink too, framing every
			// word in a black halo that tesseract cannot read through.
			if lighter && s > 176*area || !lighter && s < 80*area {
				d = 0
			}
			if !lighter {
				d = -d
			}
			ink := max(d, 0) * gain / area
			out.Pix[y*out.Stride+x] = uint8(255 - min(ink, 255))
		}
	}
	removeLines(out)
	return upscale(out, ocrScale)
}

// removeLines whitens straight runs of ink longer than any letter: the
// borders of the number entry and of buttons. Tesseract takes text inside
// a frame for part of a picture and skips it (the typed number in the
// focused entry was never read).
func removeLines(g *image.Gray) {
	// Fyne's letters are at most about 14 px high and words have gaps, so
	// a longer run is a border; borders are at least 36 px high (buttons)
	// and far wider.
	const maxAcross, maxDown = 40, 20
	w, h := g.Rect.Dx(), g.Rect.Dy()
	inked := func(x, y int) bool { return g.Pix[y*g.Stride+x] < 128 }
	var erase []int
	for y := 0; y < h; y++ {
		for x := 0; x < w; {
			end := x
			for end < w && inked(end, y) {
				end++
			}
			if end-x >= maxAcross {
				for i := x; i < end; i++ {
					erase = append(erase, y*g.Stride+i)
				}
			}
			x = end + 1
		}
	}
	for x := 0; x < w; x++ {
		for y := 0; y < h; {
			end := y
			for end < h && inked(x, end) {
				end++
			}
			if end-y >= maxDown {
				for i := y; i < end; i++ {
					erase = append(erase, i*g.Stride+x)
				}
			}
			y = end + 1
		}
	}
	for _, i := range erase {
		g.Pix[i] = 255
	}
}

// upscale enlarges g k times with bilinear interpolation.
func upscale(g *image.Gray, k int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w*k, h*k))
	at := func(x, y int) float64 {
		x, y = min(max(x, 0), w-1), min(max(y, 0), h-1)
		return float64(g.Pix[y*g.Stride+x])
	}
	for oy := 0; oy < h*k; oy++ {
		sy := (float64(oy)+0.5)/float64(k) - 0.5
		y0 := int(sy)
		if sy < 0 {
			y0 = -1
		}
		fy := sy - float64(y0)
		for ox := 0; ox < w*k; ox++ {
			sx := (float64(ox)+0.5)/float64(k) - 0.5
			x0 := int(sx)
			if sx < 0 {
				x0 = -1
			}
			fx := sx - float64(x0)
			top := at(x0, y0)*(1-fx) + at(x0+1, y0)*fx
			bottom := at(x0, y0+1)*(1-fx) + at(x0+1, y0+1)*fx
			out.Pix[oy*out.Stride+ox] = uint8(top*(1-fy) + bottom*fy + 0.5)
		}
	}
	return out
}

// ocr reads the words in the window's part of the screenshot shot, once per
// preparation; the prepared images are written next to it (shot-lighter.png,
// shot-darker.png).
func ocr(shot string, win window) (*reading, error) {
	f, err := os.Open(shot)
	if err != nil {
		return nil, err
	}
	src, err := png.Decode(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("decode screenshot %s: %w", shot, err)
	}
	g := cropGrey(src, win)
	r := &reading{shot: shot}
	images := map[string]string{}
	for _, p := range preparations {
		prepared, ok := images[p.name]
		if !ok {
			prepared = strings.TrimSuffix(shot, ".png") + "-" + p.name + ".png"
			var buf bytes.Buffer
			if err := png.Encode(&buf, localContrast(g, p.lighter)); err != nil {
				return nil, err
			}
			if err := os.WriteFile(prepared, buf.Bytes(), 0o644); err != nil {
				return nil, err
			}
			images[p.name] = prepared
		}
		words, err := tesseract(prepared, p.psm, win, p.name+"-"+p.psm)
		if err != nil {
			return nil, err
		}
		r.words = append(r.words, words...)
	}
	return r, nil
}

// tesseract reads one prepared image with page segmentation mode psm.
func tesseract(prepared, psm string, win window, pass string) ([]word, error) {
	cmd := exec.Command("tesseract", prepared, "-", "--psm", psm, "-l", "eng", "tsv")
	// One thread: the machine is shared, and OpenMP threads only contend.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tesseract %s: %v: %s", prepared, err, stderr.Bytes())
	}
	return parseTSV(out, win, pass)
}

// parseTSV reads tesseract's TSV (level, page, block, par, line, word, left,
// top, width, height, conf, text) and maps the word boxes back from the
// enlarged window image to the screen.
func parseTSV(tsv []byte, win window, pass string) ([]word, error) {
	var words []word
	sc := bufio.NewScanner(bytes.NewReader(tsv))
	first := true
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if first {
			first = false
			if len(f) < 12 || f[0] != "level" {
				return nil, fmt.Errorf("tesseract TSV without its header: %q", sc.Text())
			}
			continue
		}
		if len(f) < 12 || f[0] != "5" || strings.TrimSpace(f[11]) == "" {
			continue // not a word, or an empty one
		}
		n := make([]int, 4)
		for i := range n {
			v, err := strconv.Atoi(f[6+i])
			if err != nil {
				return nil, fmt.Errorf("tesseract TSV: bad number %q in %q", f[6+i], sc.Text())
			}
			n[i] = v
		}
		conf, _ := strconv.ParseFloat(f[10], 64)
		words = append(words, word{
			text: f[11], conf: conf, line: pass + "/" + f[2] + "/" + f[3] + "/" + f[4],
			x: win.x + n[0]/ocrScale, y: win.y + n[1]/ocrScale, w: n[2] / ocrScale, h: n[3] / ocrScale,
		})
	}
	return words, sc.Err()
}

// norm drops what OCR adds around a word (punctuation, an icon read as a
// stray mark), and the case of the letters whose two cases have one shape
// (c, k, m, o, p, s, u, v, w, x, z): OCR tells those apart by size only and
// often gets it wrong ("mute"). The other letters keep their case, which
// OCR reads reliably and which tells the Hold button from the "On hold"
// badge.
func norm(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return strings.Map(func(r rune) rune {
		if l := unicode.ToLower(r); strings.ContainsRune("ckmopsuvwxz", l) {
			return l
		}
		return r
	}, s)
}

// find returns the boxes of every place where phrase's words follow each
// other on one line, in reading order. Spaces are not compared: OCR
// sometimes runs two words together ("Hangup") or splits one, so the
// phrase matches wherever consecutive words of a line spell it out, word
// boundaries at both ends.
func (r *reading) find(phrase string) []box {
	var want string
	for _, w := range strings.Fields(phrase) {
		want += norm(w)
	}
	if want == "" {
		return nil
	}
	var found []box
	for i := range r.words {
		var spelt string
		var b box
		for j := i; j < len(r.words) && r.words[j].line == r.words[i].line; j++ {
			got := r.words[j]
			spelt += norm(got.text)
			if j == i {
				b = box{got.x, got.y, got.w, got.h}
			} else {
				right, bottom := max(b.x+b.w, got.x+got.w), max(b.y+b.h, got.y+got.h)
				b.x, b.y = min(b.x, got.x), min(b.y, got.y)
				b.w, b.h = right-b.x, bottom-b.y
			}
			if !strings.HasPrefix(want, spelt) || spelt == want {
				break
			}
		}
		// The readings usually see the same word: count a place once.
		if spelt == want && norm(r.words[i].text) != "" && !slices.ContainsFunc(found, b.overlaps) {
			found = append(found, b)
		}
	}
	return found
}

// text is every word read, line by line, for failure messages.
func (r *reading) text() string {
	var sb strings.Builder
	line := ""
	for i, w := range r.words {
		if i > 0 {
			if w.line != line {
				sb.WriteString(" | ")
			} else {
				sb.WriteByte(' ')
			}
		}
		line = w.line
		sb.WriteString(w.text)
	}
	return sb.String()
}
