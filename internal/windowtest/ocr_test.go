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
	line       string // block/paragraph/line: words of one line share it
	x, y, w, h int
}

// box is a rectangle in screen coordinates.
type box struct{ x, y, w, h int }

func (b box) centre() (int, int) { return b.x + b.w/2, b.y + b.h/2 }

func (b box) String() string { return fmt.Sprintf("%dx%d at (%d,%d)", b.w, b.h, b.x, b.y) }

// reading is what OCR found on one screenshot.
type reading struct {
	shot  string // the full-screen PNG it was read from
	words []word
}

// prepareForOCR crops the screenshot to the window, converts it to grey,
// inverts it if the background is dark (tesseract expects dark text on a
// light ground; Fyne's default theme is dark), and enlarges it ocrScale
// times with bilinear filtering.
func prepareForOCR(src image.Image, win window) *image.Gray {
	r := image.Rect(win.x, win.y, win.x+win.w, win.y+win.h).Intersect(src.Bounds())
	grey := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	var sum int
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			v := color.GrayModel.Convert(src.At(r.Min.X+x, r.Min.Y+y)).(color.Gray).Y
			grey.Pix[y*grey.Stride+x] = v
			sum += int(v)
		}
	}
	if n := r.Dx() * r.Dy(); n > 0 && sum/n < 128 {
		for i, v := range grey.Pix {
			grey.Pix[i] = 255 - v
		}
	}
	return upscale(grey, ocrScale)
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

// ocr reads the words in the window's part of the screenshot shot, writing
// the prepared image to prepared.
func ocr(shot, prepared string, win window) (*reading, error) {
	f, err := os.Open(shot)
	if err != nil {
		return nil, err
	}
	src, err := png.Decode(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("decode screenshot %s: %w", shot, err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, prepareForOCR(src, win)); err != nil {
		return nil, err
	}
	if err := os.WriteFile(prepared, buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	// --psm 11: sparse text. A window is labels and buttons scattered over
	// the area, not a page of paragraphs, and the page modes drop short
	// isolated words.
	cmd := exec.Command("tesseract", prepared, "-", "--psm", "11", "-l", "eng", "tsv")
	// One thread: the machine is shared, and OpenMP threads only contend.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tesseract %s: %v: %s", prepared, err, stderr.Bytes())
	}
	words, err := parseTSV(out, win)
	if err != nil {
		return nil, err
	}
	return &reading{shot: shot, words: words}, nil
}

// parseTSV reads tesseract's TSV (level, page, block, par, line, word, left,
// top, width, height, conf, text) and maps the word boxes back from the
// enlarged window image to the screen.
func parseTSV(tsv []byte, win window) ([]word, error) {
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
			text: f[11], conf: conf, line: f[2] + "/" + f[3] + "/" + f[4],
			x: win.x + n[0]/ocrScale, y: win.y + n[1]/ocrScale, w: n[2] / ocrScale, h: n[3] / ocrScale,
		})
	}
	return words, sc.Err()
}

// norm drops what OCR adds around a word (punctuation, an icon read as a
// stray mark) and case.
func norm(s string) string {
	return strings.ToLower(strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
}

// find returns the boxes of every place where phrase's words follow each
// other on one line, in reading order.
func (r *reading) find(phrase string) []box {
	want := strings.Fields(phrase)
	for i := range want {
		want[i] = norm(want[i])
	}
	var found []box
	if len(want) == 0 {
		return nil
	}
	for i := range r.words {
		if i+len(want) > len(r.words) {
			break
		}
		b, ok := box{}, true
		for j, w := range want {
			got := r.words[i+j]
			if got.line != r.words[i].line || norm(got.text) != w {
				ok = false
				break
			}
			if j == 0 {
				b = box{got.x, got.y, got.w, got.h}
				continue
			}
			right, bottom := max(b.x+b.w, got.x+got.w), max(b.y+b.h, got.y+got.h)
			b.x, b.y = min(b.x, got.x), min(b.y, got.y)
			b.w, b.h = right-b.x, bottom-b.y
		}
		if ok {
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
