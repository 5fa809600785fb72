//! `--output table`: `awscli/formatter.py` `TableFormatter` (what goes in which section) and `awscli/table.py`
//! `MultiTable` (how sections are drawn), the same in v1 and v2.
//!
//! The operation's name titles the first section; a dict's scalars make one row under their sorted keys (a
//! lone scalar a `key | value` row), its lists and dicts a section each, titled by their key and indented
//! one level; a list of dicts makes one row per dict (a section per dict when they have nested values). All
//! sections share one width, the widest one's, and each section's columns are scaled to it. When that width
//! is over the terminal's, every one-row section is turned into `header | value` rows, once; nothing is
//! wrapped. Widths count East Asian wide and ambiguous characters as 2 columns.
//!
//! Arithmetic is done in `i64` because Python's is unbounded and its `' ' * n` is empty for a negative `n`:
//! narrow columns after scaling do produce negative counts, which must print nothing, not panic.

use super::width::text_length;
use super::{Py, python_str};

/// `doc` as the table formatter prints it for the operation `title` on a terminal `width` columns wide;
/// empty when `doc` is falsy (`None`, `0`, `""`, `[]`, `{}`...). An error is the exception Python raises.
pub(super) fn format_table(doc: &Py, title: &str, width: usize) -> Result<String, String> {
    let mut b = Builder { sections: Vec::new() };
    if !b.build(Some(title), doc, 0)? {
        return Ok(String::new());
    }
    Ok(render(b.sections, i64::try_from(width).unwrap_or(i64::MAX)))
}

/// One `table.py` `Section`. `title` is `None` where Python passes `None` (a section of a list nested in a
/// list): it prints no title but still counts `str(None)`, 4 columns, toward the table's width.
#[derive(Default)]
struct Section {
    title: Option<String>,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: i64,
    num_cols: Option<usize>,
    max_widths: Vec<i64>,
}

impl Section {
    fn title_len(&self) -> i64 {
        len(self.title.as_deref().unwrap_or("None"))
    }

    fn add_header(&mut self, headers: Vec<String>) -> Result<(), String> {
        self.update_max_widths(&headers)?;
        self.num_cols.get_or_insert(headers.len());
        self.headers = headers;
        Ok(())
    }

    fn add_row(&mut self, row: Vec<String>) -> Result<(), String> {
        let cols = *self.num_cols.get_or_insert(row.len());
        if row.len() != cols {
            return Err(format!(
                "Row should have {cols} elements, instead it has {}",
                row.len()
            ));
        }
        self.update_max_widths(&row)?;
        self.rows.push(row);
        Ok(())
    }

    fn update_max_widths(&mut self, row: &[String]) -> Result<(), String> {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|el| len(el)).collect();
            return Ok(());
        }
        for (i, el) in row.iter().enumerate() {
            let w = self.max_widths.get_mut(i).ok_or("list index out of range")?;
            *w = (*w).max(len(el));
        }
        Ok(())
    }

    /// `calculate_column_widths(padding, max_width)`: each column's widest text plus `padding`, scaled so
    /// that they sum to `max_width` (Python's `round`, ties to even), then the rounding error taken off the
    /// first columns or given to the last ones, one column at a time.
    fn column_widths(&self, padding: i64, max_width: i64) -> Vec<i64> {
        let unscaled: Vec<i64> = self.max_widths.iter().map(|w| w + padding).collect();
        let total: i64 = unscaled.iter().sum();
        if unscaled.is_empty() || total == 0 {
            return unscaled;
        }
        let scale = max_width as f64 / total as f64;
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|&w| (scale * w as f64).round_ties_even() as i64)
            .collect();
        let mut off_by: i64 = scaled.iter().sum::<i64>() - max_width;
        let n = scaled.len();
        while off_by != 0 {
            for j in 0..n {
                let i = if off_by < 0 { n - 1 - j } else { j };
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled
    }

    /// `total_width(padding=4, with_border=True, outer_padding=indent)`.
    fn total_width(&self) -> i64 {
        let columns: i64 = self.max_widths.iter().map(|w| w + 4).sum();
        let outer = 2 * self.indent;
        (columns + 2 + outer).max(self.title_len() + 2 + outer)
    }
}

/// `TableFormatter._build_table` and its helpers, filling sections.
struct Builder {
    sections: Vec<Section>,
}

impl Builder {
    fn current(&mut self) -> Result<&mut Section, String> {
        self.sections
            .last_mut()
            .ok_or_else(|| "'NoneType' object has no attribute 'add_row'".to_owned())
    }

    fn new_section(&mut self, title: Option<&str>, indent: i64) {
        self.sections.push(Section {
            title: title.map(str::to_owned),
            indent,
            ..Section::default()
        });
    }

    fn build(&mut self, title: Option<&str>, current: &Py, indent: i64) -> Result<bool, String> {
        if !current.truthy() {
            return Ok(false);
        }
        if title.is_some() {
            self.new_section(title, indent);
        }
        match current {
            Py::List(items) if matches!(items.first(), Some(Py::Dict(_))) => {
                self.sub_table_from_list(items, indent, title)?;
            }
            Py::List(items) => {
                for item in items {
                    match item {
                        Py::Dict(members) => {
                            // Iterating a dict gives its keys, all scalars: Python adds them as a row.
                            self.current()?
                                .add_row(members.iter().map(|(k, _)| k.clone()).collect())?;
                        }
                        Py::List(els) if els.iter().all(|el| !el.is_container()) => {
                            self.current()?.add_row(els.iter().map(python_str).collect())?;
                        }
                        Py::List(_) => {
                            self.build(None, item, 0)?;
                        }
                        scalar => self.current()?.add_row(vec![python_str(scalar)])?,
                    }
                }
            }
            Py::Dict(members) => self.sub_table_from_dict(members, indent)?,
            _ => {}
        }
        Ok(true)
    }

    fn sub_table_from_dict(&mut self, members: &[(String, Py)], indent: i64) -> Result<(), String> {
        let (headers, more) = group_scalar_keys(members);
        match headers.as_slice() {
            [] => {}
            [only] => {
                let value = find(members, only).map(python_str).unwrap_or_default();
                self.current()?.add_row(vec![only.clone(), value])?;
            }
            _ => {
                let row = headers
                    .iter()
                    .map(|h| find(members, h).map(python_str).unwrap_or_default())
                    .collect();
                let section = self.current()?;
                section.add_header(headers)?;
                section.add_row(row)?;
            }
        }
        for key in more {
            if let Some(v) = find(members, &key) {
                self.build(Some(&key), v, indent + 1)?;
            }
        }
        Ok(())
    }

    fn sub_table_from_list(&mut self, items: &[Py], indent: i64, title: Option<&str>) -> Result<(), String> {
        let (headers, more) = group_scalar_keys_from_list(items)?;
        self.current()?.add_header(headers.clone())?;
        for (i, element) in items.iter().enumerate() {
            let Py::Dict(members) = element else {
                return Err(format!("'{}' object has no attribute 'get'", element.type_name()));
            };
            if i > 0 && !more.is_empty() {
                self.new_section(title, indent);
                self.current()?.add_header(headers.clone())?;
            }
            let row = headers
                .iter()
                .map(|h| find(members, h).map(python_str).unwrap_or_default())
                .collect();
            self.current()?.add_row(row)?;
            for key in &more {
                if let Some(v) = find(members, key) {
                    self.build(Some(key), v, indent + 1)?;
                }
            }
        }
        Ok(())
    }
}

fn find<'a>(members: &'a [(String, Py)], key: &str) -> Option<&'a Py> {
    members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The keys of a dict with scalar values and those with containers, each sorted.
fn group_scalar_keys(members: &[(String, Py)]) -> (Vec<String>, Vec<String>) {
    let keys = |nested: bool| -> Vec<String> {
        members
            .iter()
            .filter(|(_, v)| v.is_container() == nested)
            .map(|(k, _)| k.clone())
            .collect()
    };
    let (mut headers, mut more) = (keys(false), keys(true));
    headers.sort();
    more.sort();
    (headers, more)
}

/// The union of [`group_scalar_keys`] over a list of dicts: a key can be in both. Python fails on an
/// element that is not a dict, first here or then at `element.get`; the messages are those of the usual
/// cases (a string, a number, an empty list).
fn group_scalar_keys_from_list(items: &[Py]) -> Result<(Vec<String>, Vec<String>), String> {
    let mut headers: Vec<String> = Vec::new();
    let mut more: Vec<String> = Vec::new();
    for item in items {
        match item {
            Py::Dict(members) => {
                let (h, m) = group_scalar_keys(members);
                headers.extend(h);
                more.extend(m);
            }
            Py::Str(s) if !s.is_empty() => {
                return Err("string indices must be integers, not 'str'".to_owned());
            }
            Py::None | Py::Bool(_) | Py::Int(_) | Py::Float(_) => {
                return Err(format!("'{}' object is not iterable", item.type_name()));
            }
            // Python indexes the list by each of its own elements.
            Py::List(els) => {
                for el in els {
                    let index = match el {
                        Py::Bool(b) => i64::from(*b),
                        Py::Int(n) => n
                            .parse::<i64>()
                            .map_err(|_| "cannot fit 'int' into an index-sized integer")?,
                        other => {
                            return Err(format!(
                                "list indices must be integers or slices, not {}",
                                other.type_name()
                            ));
                        }
                    };
                    let len = i64::try_from(els.len()).unwrap_or(i64::MAX);
                    if index >= len || index < -len {
                        return Err("list index out of range".to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    headers.sort();
    headers.dedup();
    more.sort();
    more.dedup();
    Ok((headers, more))
}

fn len(s: &str) -> i64 {
    i64::try_from(text_length(s)).unwrap_or(i64::MAX)
}

/// `' ' * n` (or any character), empty for `n <= 0`.
fn rep(c: char, n: i64) -> String {
    std::iter::repeat_n(c, usize::try_from(n).unwrap_or(0)).collect()
}

/// `MultiTable.render`: one dash line as wide as the widest section, then every section.
fn render(mut sections: Vec<Section>, terminal_width: i64) -> String {
    let max_width = |sections: &[Section]| sections.iter().map(Section::total_width).max().unwrap_or(0);
    let mut width = max_width(&sections);
    if width > terminal_width {
        sections = sections.into_iter().map(vertical).collect();
        width = max_width(&sections);
    }
    let mut out = rep('-', width);
    out.push('\n');
    for section in &sections {
        render_section(&mut out, section, width);
    }
    out
}

/// `convert_to_vertical_table` for one section: a single row under headers becomes `header | value` rows.
fn vertical(section: Section) -> Section {
    if section.rows.len() != 1 || section.headers.is_empty() {
        return section;
    }
    let mut new = Section {
        title: section.title.clone(),
        indent: section.indent,
        ..Section::default()
    };
    for (header, element) in section.headers.iter().zip(&section.rows[0]) {
        // Two-element rows in a fresh section: add_row cannot fail.
        let _ = new.add_row(vec![header.clone(), element.clone()]);
    }
    new
}

/// One section, every line framed by `|` once per indentation level on each side (`IndentedStream`).
fn render_section(out: &mut String, section: &Section, max_width: i64) {
    let bar = rep('|', section.indent);
    let mut line = |text: String| {
        out.push_str(&bar);
        out.push_str(&text);
        out.push_str(&bar);
        out.push('\n');
    };
    let max_width = max_width - 2 * section.indent;
    if let Some(title) = section.title.as_deref().filter(|t| !t.is_empty()) {
        line(center(title, max_width, "|", "|"));
        if section.headers.is_empty() && section.rows.is_empty() {
            line(format!("+{}+", rep('-', max_width - 2)));
        }
    }
    if !section.headers.is_empty() {
        let widths = section.column_widths(4, max_width);
        let mut text = String::new();
        for (i, (w, header)) in widths.iter().zip(&section.headers).enumerate() {
            text.push_str(&center(header, *w, if i == 0 { "|" } else { "" }, "|"));
        }
        line(line_break(&widths));
        line(text);
    }
    if !section.rows.is_empty() {
        let widths = section.column_widths(4, max_width);
        if widths.is_empty() {
            return;
        }
        line(line_break(&widths));
        for row in &section.rows {
            let mut text = String::new();
            for (i, (w, element)) in widths.iter().zip(row).enumerate() {
                text.push_str(&align_left(element, *w, if i == 0 { "|" } else { "" }));
            }
            line(text);
        }
        line(line_break(&widths));
    }
}

/// `+----+-----+`: the first cell has both corners, the others their right one.
fn line_break(widths: &[i64]) -> String {
    let mut s = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            s.push('+');
            s.push_str(&rep('-', w - 2));
        } else {
            s.push_str(&rep('-', w - 1));
        }
        s.push('+');
    }
    s
}

/// `center_text`: `length//2 - text_length//2 - 1` spaces before the text, the rest after.
fn center(text: &str, length: i64, left: &str, right: &str) -> String {
    let text_len = len(text);
    let start = length / 2 - text_len / 2 - 1;
    let so_far = len(left) + start + text_len;
    format!(
        "{left}{}{text}{}{right}",
        rep(' ', start),
        rep(' ', length - len(right) - so_far)
    )
}

/// `align_left`: two spaces of padding when they fit, the text, spaces to the width, the `|` separator.
fn align_left(text: &str, length: i64, left: &str) -> String {
    let text_len = len(text);
    let padding = if length - (text_len + 2 + len(left) + 1) >= 0 {
        2
    } else {
        0
    };
    let so_far = len(left) + padding + text_len;
    format!(
        "{left}{}{text}{}|",
        rep(' ', padding),
        rep(' ', length - so_far - 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::json;

    fn table(doc: &str, width: usize) -> Result<String, String> {
        format_table(
            &Py::from_json(&json::parse(doc).expect("test document")),
            "Op",
            width,
        )
    }

    #[test]
    fn an_object_is_one_row_under_its_sorted_keys() {
        let doc = r#"{"UserId": "AIDA", "Account": "123", "Arn": "arn:x"}"#;
        let want = "\
--------------------------------
|              Op              |
+---------+---------+----------+
| Account |   Arn   | UserId   |
+---------+---------+----------+
|  123    |  arn:x  |  AIDA    |
+---------+---------+----------+
";
        assert_eq!(table(doc, 80).as_deref(), Ok(want));
    }

    #[test]
    fn too_wide_one_row_sections_turn_vertical() {
        let long = "x".repeat(70);
        let doc = format!(r#"{{"Account": "123", "Arn": "{long}"}}"#);
        let out = table(&doc, 80).expect("renders");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 6, "{out}");
        assert!(lines[3].starts_with("|  Account|  123"), "{out}");
        assert!(lines[4].starts_with("|  Arn    |  xxxx"), "{out}");
        assert!(
            lines.iter().all(|l| text_length(l) == text_length(lines[0])),
            "{out}"
        );
    }

    #[test]
    fn nested_values_make_indented_sections() {
        let doc = r#"{"Owner": {"ID": "abc"}, "Buckets": [{"Name": "b1"}, {"Name": "b2"}]}"#;
        let want = "\
-----------------
|      Op       |
+---------------+
||   Buckets   ||
|+-------------+|
||    Name     ||
|+-------------+|
||  b1         ||
||  b2         ||
|+-------------+|
||    Owner    ||
|+-----+-------+|
||  ID |  abc  ||
|+-----+-------+|
";
        assert_eq!(table(doc, 80).as_deref(), Ok(want));
    }

    #[test]
    fn falsy_documents_print_nothing() {
        for doc in ["{}", "[]", "null", "0", "\"\"", "false", "0.0"] {
            assert_eq!(table(doc, 80).as_deref(), Ok(""), "{doc}");
        }
    }

    #[test]
    fn a_scalar_is_a_title_alone() {
        assert_eq!(table("\"123\"", 80).as_deref(), Ok("----\n|Op|\n+--+\n"));
    }

    #[test]
    fn python_failures_are_errors() {
        assert_eq!(
            table("[1, [1, 2]]", 80),
            Err("Row should have 1 elements, instead it has 2".to_owned())
        );
        assert_eq!(
            table(r#"[{"a": 1}, "x"]"#, 80),
            Err("string indices must be integers, not 'str'".to_owned())
        );
        assert_eq!(
            table(r#"[{"a": 1}, []]"#, 80),
            Err("'list' object has no attribute 'get'".to_owned())
        );
    }

    #[test]
    fn scaling_keeps_every_line_as_wide_as_the_table() {
        let doc =
            r#"{"A": "x", "B": "y", "Sub": {"LongerKeyName": "v", "K": "w", "J": "a much longer value"}}"#;
        let out = table(doc, 80).expect("renders");
        let widths: Vec<usize> = out.lines().map(text_length).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{out}");
    }
}
