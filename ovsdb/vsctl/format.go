package vsctl

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"github.com/govs/govs/ovsdb"
)

// cell is one value of a list/find result.
type cell struct {
	d ovsdb.Datum
	t *ovsdb.ColumnType
}

// text renders the cell per --data: "string" (ovs-vsctl's text syntax),
// "bare" (elements separated by spaces, strings unquoted) or "json".
func (c cell) text(data string) string {
	switch data {
	case "bare":
		parts := make([]string, len(c.d.Keys))
		for i, k := range c.d.Keys {
			parts[i] = bareAtom(k)
			if c.d.Values != nil {
				parts[i] += "=" + bareAtom(c.d.Values[i])
			}
		}
		return strings.Join(parts, " ")
	case "json":
		return jsonText(c.d.JSON(c.t))
	}
	return c.d.Format(c.t)
}

func bareAtom(a ovsdb.Atom) string {
	if s, ok := a.(string); ok {
		return s
	}
	return ovsdb.FormatAtom(a)
}

// outputTable is the result of list or find.
type outputTable struct {
	headings []string
	rows     [][]cell
}

func (t *outputTable) render(o *options) string {
	var b strings.Builder
	switch o.format {
	case "table":
		t.renderTable(&b, o)
	case "csv":
		if o.headings {
			b.WriteString(strings.Join(csvQuote(t.headings), ",") + "\n")
		}
		for _, r := range t.rows {
			var fields []string
			for _, c := range r {
				fields = append(fields, c.text(o.data))
			}
			b.WriteString(strings.Join(csvQuote(fields), ",") + "\n")
		}
	case "html":
		b.WriteString("<table border=1>\n")
		if o.headings {
			b.WriteString("  <tr>\n")
			for _, h := range t.headings {
				fmt.Fprintf(&b, "    <th>%s</th>\n", html.EscapeString(h))
			}
			b.WriteString("  </tr>\n")
		}
		for _, r := range t.rows {
			b.WriteString("  <tr>\n")
			for _, c := range r {
				fmt.Fprintf(&b, "    <td>%s</td>\n", html.EscapeString(c.text(o.data)))
			}
			b.WriteString("  </tr>\n")
		}
		b.WriteString("</table>\n")
	case "json":
		data := make([]any, len(t.rows))
		for i, r := range t.rows {
			row := make([]any, len(r))
			for j, c := range r {
				if o.data == "json" || o.data == "string" {
					row[j] = c.d.JSON(c.t)
				} else {
					row[j] = c.text(o.data)
				}
			}
			data[i] = row
		}
		obj := map[string]any{"data": data}
		if o.headings {
			obj["headings"] = t.headings
		}
		var text []byte
		if o.pretty {
			text, _ = json.MarshalIndent(obj, "", "  ")
		} else {
			text, _ = ovsdb.MarshalJSON(obj)
		}
		b.Write(text)
		b.WriteString("\n")
	default:
		for i, r := range t.rows {
			if i > 0 {
				b.WriteString("\n")
			}
			for j, c := range r {
				if o.headings {
					fmt.Fprintf(&b, "%-20s: ", t.headings[j])
				}
				b.WriteString(c.text(o.data) + "\n")
			}
		}
	}
	return b.String()
}

func (t *outputTable) renderTable(b *strings.Builder, o *options) {
	widths := make([]int, len(t.headings))
	texts := make([][]string, len(t.rows))
	if o.headings {
		for i, h := range t.headings {
			widths[i] = len(h)
		}
	}
	for i, r := range t.rows {
		for j, c := range r {
			s := c.text(o.data)
			texts[i] = append(texts[i], s)
			widths[j] = max(widths[j], len(s))
		}
	}
	line := func(fields []string) {
		for j, f := range fields {
			if j == len(fields)-1 {
				b.WriteString(f + "\n")
			} else {
				fmt.Fprintf(b, "%-*s ", widths[j], f)
			}
		}
	}
	if o.headings {
		line(t.headings)
		dashes := make([]string, len(widths))
		for j, w := range widths {
			dashes[j] = strings.Repeat("-", w)
		}
		line(dashes)
	}
	for _, r := range texts {
		line(r)
	}
}

// csvQuote quotes fields as RFC 4180 requires.
func csvQuote(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		if strings.ContainsAny(f, ",\"\r\n") {
			f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
		}
		out[i] = f
	}
	return out
}
