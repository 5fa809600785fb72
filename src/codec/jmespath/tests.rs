//! The tricky parts, each checked against what jmespath.py 1.0.1 answers for the same expression and data.

use super::number::{float_repr, parse_python_number};
use super::{ErrorKind, compile};
use crate::codec::json::{self, Value};

fn doc(text: &str) -> Value {
    json::parse(text).expect("test document parses")
}

/// The result of `expr` on `data`, as compact JSON with members in order (`Style::Python` sorts them).
fn eval(expr: &str, data: &str) -> String {
    let v = compile(expr)
        .and_then(|e| e.search(&doc(data)))
        .unwrap_or_else(|e| panic!("{expr}: {e}"));
    json::to_string(&v, json::Style::Pretty)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("")
}

fn kind(expr: &str, data: &str) -> ErrorKind {
    match compile(expr).and_then(|e| e.search(&doc(data))) {
        Ok(v) => panic!("{expr}: expected an error, got {v:?}"),
        Err(e) => e.kind(),
    }
}

#[test]
fn precedence() {
    let d = r#"{"a": true, "b": false, "c": "C", "n": [1, 2]}"#;
    // && binds tighter than ||, comparisons tighter than both, ! tighter than comparisons.
    assert_eq!(eval("b || a && c", d), r#""C""#);
    assert_eq!(eval("(b || a) && c", d), r#""C""#);
    assert_eq!(eval("a && b || c", d), r#""C""#);
    assert_eq!(eval("!a == b", d), "true");
    assert_eq!(eval("!(a == b)", d), "true");
    // ! binds tighter than `.`: `!a.b` is `(!a).b`, null, as jmespath.py parses it.
    assert_eq!(eval("!c.x", d), "null");
    // A pipe binds loosest of all.
    assert_eq!(eval("b || n | length(@)", d), "2");
    assert_eq!(eval("c || n | length(@)", d), "1");
    // A comparison's right side is a whole sub-expression.
    assert_eq!(eval("n[0] < n[1]", d), "true");
}

#[test]
fn slices_as_python() {
    let d = "[0, 1, 2, 3, 4, 5]";
    assert_eq!(eval("[::-1]", d), "[5,4,3,2,1,0]");
    assert_eq!(eval("[-2:]", d), "[4,5]");
    assert_eq!(eval("[:-4:-1]", d), "[5,4,3]");
    assert_eq!(eval("[4:1:-2]", d), "[4,2]");
    assert_eq!(eval("[10:]", d), "[]");
    assert_eq!(eval("[-100:2]", d), "[0,1]");
    assert_eq!(eval("[::99999999999999999999]", d), "[0]");
    assert_eq!(eval("[1:3].foo", d), "[]");
    // A slice of something that is not an array is null; a zero step is an error only on an array.
    assert_eq!(eval("foo[::0]", r#"{"foo": {}}"#), "null");
    assert_eq!(kind("[::0]", d), ErrorKind::InvalidValue);
    // After an index the slice joins the index chain and does not project (jmespath.py's tree shape).
    let nested = r#"[[{"a": 1}, {"a": 2}]]"#;
    assert_eq!(eval("[0][0:2].a", nested), "null");
    assert_eq!(eval("[0:1][0].a", nested), "[1]");
    assert_eq!(eval("@[0:1] | [0][0:2].a", nested), "null");
}

#[test]
fn projections_stop_at_pipes_and_flatten() {
    let d = r#"{"r": [{"i": [{"id": 1}, {"id": 2}]}, {"i": [{"id": 3}]}, {"x": 0}]}"#;
    assert_eq!(eval("r[*].i[*].id", d), "[[1,2],[3]]");
    assert_eq!(eval("r[].i[].id", d), "[1,2,3]");
    // [0] inside a projection applies to each element; after a pipe, to the whole result.
    assert_eq!(eval("r[*].i[0].id", d), "[1,3]");
    assert_eq!(eval("r[*].i | [0]", d), r#"[{"id":1},{"id":2}]"#);
    assert_eq!(eval("r[*].i[*].id | [0]", d), "[1,2]");
    // A flatten after a projection ends it and starts a new one over the merged list.
    assert_eq!(eval("r[*].i[*].id[]", d), "[1,2,3]");
    assert_eq!(eval("`[[1, [2]], 3, [[4]]]`[]", "null"), "[1,[2],3,[4]]");
    assert_eq!(eval("`[[1, [2]], 3, [[4]]]`[][]", "null"), "[1,2,3,4]");
    // Nulls drop out of projections, but not out of multi-selects or map.
    assert_eq!(eval("r[*].x", d), "[0]");
    assert_eq!(eval("r[*].[x]", d), "[[null],[null],[0]]");
    assert_eq!(eval("map(&x, r)", d), "[null,null,0]");
    // A value projection runs over an object's values, in order.
    assert_eq!(
        eval("*.b", r#"{"p": {"b": 1}, "q": {"c": 2}, "r": {"b": 3}}"#),
        "[1,3]"
    );
}

#[test]
fn filters_with_literals() {
    let d = r#"[{"n": 1, "s": "a"}, {"n": 2.0, "s": "b"}, {"n": "2", "s": "c"}, {"s": "d"}]"#;
    assert_eq!(eval("[?n == `2`].s", d), r#"["b"]"#);
    assert_eq!(eval("[?s < 'c' && n > `1`].s", d), r#"["b"]"#);
    assert_eq!(eval("[?n == '2'].s", d), r#"["c"]"#);
    assert_eq!(eval("[?s >= 'b'].s", d), r#"["b","c","d"]"#);
    assert_eq!(eval("[?!n].s", d), r#"["d"]"#);
    assert_eq!(eval("[?n && s != 'a'].s", d), r#"["b","c"]"#);
    // The deprecated backtick form without JSON quotes is still a string in 1.0.1.
    assert_eq!(eval("[?s == `b`].n", d), "[2.0]");
    // Ordering a number against a string: jmespath.py lets Python's TypeError through.
    assert_eq!(kind("[?n < 'x']", d), ErrorKind::InvalidType);
    // Other types order to null, so the filter keeps nothing.
    assert_eq!(eval("[?s < `true`]", d), "[]");
    // 0 and 1 never equal a boolean at the top level; inside arrays Python's bool-is-int shows.
    assert_eq!(eval("`1` == `true`", "null"), "false");
    assert_eq!(eval("`[1]` == `[true]`", "null"), "true");
    assert_eq!(eval("`1.0` == `1`", "null"), "true");
    assert_eq!(
        eval("`{\"a\": 1, \"b\": 2}` == `{\"b\": 2, \"a\": 1}`", "null"),
        "true"
    );
}

#[test]
fn raw_strings_and_quoted_identifiers() {
    assert_eq!(eval(r"'a\'b'", "null"), r#""a'b""#);
    // Only \' is an escape in a raw string.
    assert_eq!(eval(r"'a\\b'", "null"), r#""a\\\\b""#);
    assert_eq!(eval(r#""a\"b""#, r#"{"a\"b": 1}"#), "1");
    assert_eq!(eval(r#""\u00e9""#, r#"{"é": 2}"#), "2");
    assert_eq!(eval("` `", "null"), r#""""#);
    assert_eq!(kind(r#""\u""#, "null"), ErrorKind::Syntax);
}

#[test]
fn sort_by_is_stable_and_typed() {
    let d = r#"[{"k": 2, "v": "a"}, {"k": 1, "v": "b"}, {"k": 2.0, "v": "c"}, {"k": 1, "v": "d"}]"#;
    assert_eq!(eval("sort_by(@, &k)[*].v", d), r#"["b","d","a","c"]"#);
    assert_eq!(eval("sort_by(@, &k)[0]", d), r#"{"k":1,"v":"b"}"#);
    assert_eq!(eval("max_by(@, &k).v", d), r#""a""#);
    assert_eq!(eval("min_by(@, &k).v", d), r#""b""#);
    assert_eq!(eval("sort_by(`[]`, &k)", d), "[]");
    // Keys must all be of the first key's type, a number or a string.
    assert_eq!(
        kind("sort_by(`[{\"k\": 1}, {\"k\": \"1\"}]`, &k)", d),
        ErrorKind::InvalidType
    );
    assert_eq!(kind("sort_by(@, &missing)", d), ErrorKind::InvalidType);
    assert_eq!(
        kind("max_by(`[{\"k\": 1}, {\"k\": \"1\"}]`, &k)", d),
        ErrorKind::InvalidType
    );
    assert_eq!(eval("sort(`[3, 1.5, 2, -1e2]`)", d), "[-1e2,1.5,2,3]");
}

#[test]
fn numbers_print_as_python_prints_them() {
    assert_eq!(eval("avg(@)", "[1, 2, 3, 4]"), "2.5");
    assert_eq!(eval("avg(@)", "[3]"), "3.0");
    assert_eq!(eval("sum(@)", "[1, 2]"), "3");
    assert_eq!(eval("sum(@)", "[1, 2.5]"), "3.5");
    assert_eq!(eval("sum(@)", "[0.1, 0.2]"), "0.30000000000000004");
    assert_eq!(eval("sum(@)", "[]"), "0");
    assert_eq!(eval("abs(@)", "-0"), "0");
    assert_eq!(eval("abs(@)", "-1e2"), "100.0");
    assert_eq!(eval("ceil(@)", "1.2"), "2");
    assert_eq!(eval("floor(@)", "-1.2"), "-2");
    assert_eq!(eval("floor(@)", "1e300").len(), 301);
    assert_eq!(eval("length(@)", r#""😀é""#), "2");
    // Passed through, a number keeps its text.
    assert_eq!(eval("max(@)", "[1.50, 1]"), "1.50");
    assert_eq!(eval("[?@ > `1`]", "[1.0, 2.00]"), "[2.00]");
    assert_eq!(
        eval("to_string(@)", r#"[1.50, "é", {"a": 1e2}]"#),
        r#""[1.5,\"\\u00e9\",{\"a\":100.0}]""#
    );
    assert_eq!(kind("ceil(`1e400`)", "null"), ErrorKind::InvalidValue);
    for (f, text) in [
        (3.0, "3.0"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (1.5e-5, "1.5e-05"),
        (0.0001, "0.0001"),
        (-0.0, "-0.0"),
        (123456789.125, "123456789.125"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (5e-324, "5e-324"),
        (f64::INFINITY, "Infinity"),
    ] {
        assert_eq!(float_repr(f), text);
    }
}

#[test]
fn to_number_as_python_int_then_float() {
    for (s, n) in [
        ("12", Some("12")),
        (" 007 ", Some("7")),
        ("-0", Some("0")),
        ("1_000", Some("1000")),
        ("1.50", Some("1.5")),
        ("1e3", Some("1000.0")),
        (".5", Some("0.5")),
        ("-inf", Some("-Infinity")),
        ("NaN", Some("NaN")),
        (
            "123456789012345678901234567890",
            Some("123456789012345678901234567890"),
        ),
        ("1__0", None),
        ("_1", None),
        ("+-1", None),
        ("0x10", None),
        ("", None),
        ("abc", None),
    ] {
        assert_eq!(parse_python_number(s).as_deref(), n, "{s:?}");
    }
    assert_eq!(eval("to_number(@)", "[1]"), "null");
    assert_eq!(eval("to_number(@)", "true"), "null");
    assert_eq!(eval("to_number(@)", "1.50"), "1.50");
}

#[test]
fn error_kinds() {
    let d = r#"{"s": "x", "n": 1, "a": [1, "b"]}"#;
    assert_eq!(kind("abs(s)", d), ErrorKind::InvalidType);
    assert_eq!(kind("sum(a)", d), ErrorKind::InvalidType);
    assert_eq!(kind("abs(n, n)", d), ErrorKind::InvalidArity);
    assert_eq!(kind("not_null()", d), ErrorKind::InvalidArity);
    assert_eq!(kind("nope(n)", d), ErrorKind::UnknownFunction);
    assert_eq!(kind("contains(s, n)", d), ErrorKind::InvalidType);
    assert_eq!(kind("&n", d), ErrorKind::InvalidType);
    assert_eq!(kind("merge(`{}`, s)", d), ErrorKind::InvalidValue);
    assert_eq!(kind("merge(`{}`, n)", d), ErrorKind::InvalidType);
    assert_eq!(
        eval("merge(`{\"a\": 1, \"b\": 2}`, `[[\"a\", 3]]`, `{\"c\": 4}`)", d),
        r#"{"a":3,"b":2,"c":4}"#
    );
    // Runtime errors only on evaluation: the expression compiles.
    assert!(compile("abs(s)").is_ok());
    let e = compile("abs(n, n)").and_then(|e| e.search(&doc(d))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Expected 1 argument for function abs(), received 2"
    );
    let e = compile("abs(s)").and_then(|e| e.search(&doc(d))).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"In function abs(), invalid type for value: x, expected one of: ['number'], received: "string""#
    );
}

#[test]
fn syntax_errors_and_their_messages() {
    for expr in [
        "",
        "foo.",
        "a[",
        "a ||",
        "[?a",
        "foo[0, 1]",
        "{a: 1}",
        "a = b",
        "a + b",
        "a - b",
        "let $x = 1 in $x",
        "$x",
        "\"abc",
        "'abc",
        "-",
        "a[1:2:3:4]",
        "f(a,,b)",
        "\"f\"(a)",
    ] {
        assert_eq!(compile(expr).unwrap_err().kind(), ErrorKind::Syntax, "{expr:?}");
    }
    assert_eq!(
        compile("foo[").unwrap_err().to_string(),
        "Invalid jmespath expression: Incomplete expression:\n\"foo[\"\n     ^"
    );
    assert_eq!(
        compile("foo]").unwrap_err().to_string(),
        "Unexpected token: ]: Parse error at column 3, token \"]\" (RBRACKET), for expression:\n\"foo]\"\n    ^"
    );
    assert_eq!(
        compile("a#").unwrap_err().to_string(),
        "Bad jmespath expression: Unknown token #:\na#\n ^"
    );
    // jmespath.py's leniencies, kept: arguments need no commas, a hash's pairs neither.
    assert_eq!(eval("not_null(a b)", r#"{"b": 1}"#), "1");
    assert_eq!(eval("{x: a y: b}", r#"{"a": 1, "b": 2}"#), r#"{"x":1,"y":2}"#);
    assert_eq!(eval("(length)(@)", "[1]"), "1");
}

/// The deepest `n` for which `shape(n)` compiles (0 if none up to 5000).
fn deepest(shape: &dyn Fn(usize) -> String) -> usize {
    let (mut ok, mut bad) = (0, 5000);
    assert!(compile(&shape(bad)).is_err(), "{} compiles", shape(bad));
    while bad - ok > 1 {
        let mid = (ok + bad) / 2;
        if compile(&shape(mid)).is_ok() {
            ok = mid
        } else {
            bad = mid
        }
    }
    ok
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let shapes: Vec<Box<dyn Fn(usize) -> String>> = vec![
        Box::new(|n| format!("{}@{}", "(".repeat(n), ")".repeat(n))),
        Box::new(|n| format!("{}@{}", "[".repeat(n), "]".repeat(n))),
        Box::new(|n| format!("{}@{}", "{a:".repeat(n), "}".repeat(n))),
        Box::new(|n| format!("{}@", "!".repeat(n))),
        Box::new(|n| format!("{}@", "& ".repeat(n))),
        Box::new(|n| format!("{}@{}", "[?".repeat(n), "]".repeat(n))),
        Box::new(|n| format!("{}@{}", "not_null(".repeat(n), ")".repeat(n))),
        // Left-leaning chains deepen the tree without recursing in the parser.
        Box::new(|n| vec!["@"; n + 1].join("==")),
        Box::new(|n| vec!["@"; n + 1].join("||")),
        Box::new(|n| vec!["@"; n + 1].join("&&")),
        Box::new(|n| vec!["@"; n + 1].join("|")),
        Box::new(|n| format!("@{}", "[]".repeat(n))),
        Box::new(|n| format!("@{}", "[*].a".repeat(n))),
        Box::new(|n| format!("@{}", "[1:].a".repeat(n))),
        Box::new(|n| format!("@{}", ".*".repeat(n))),
        Box::new(|n| format!("@{}", "[?@].a".repeat(n))),
    ];
    for shape in &shapes {
        let n = deepest(shape.as_ref());
        assert!(n >= 60, "{}: only {n} levels", shape(2));
        assert_eq!(compile(&shape(n + 1)).unwrap_err().kind(), ErrorKind::Syntax);
        // The deepest accepted expression evaluates within a test thread's stack, in a debug build too.
        let e = compile(&shape(n)).unwrap_or_else(|e| panic!("{e}"));
        let _ = e.search(&doc(r#"[[{"a": [1]}]]"#));
    }
    // Appending to a chain does not deepen it.
    let long = vec!["a"; 5000].join(".");
    assert_eq!(eval(&long, "{}"), "null");
    assert_eq!(eval(&format!("@{}", "[0]".repeat(5000)), "[]"), "null");
}

#[test]
fn duplicate_keys_read_as_a_python_dict() {
    let d = r#"{"a": 1, "b": 2, "a": 3}"#;
    assert_eq!(eval("a", d), "3");
    assert_eq!(eval("keys(@)", d), r#"["a","b"]"#);
    assert_eq!(eval("values(@)", d), "[3,2]");
    assert_eq!(eval("length(@)", d), "2");
    assert_eq!(eval("{x: a, x: b}", d), r#"{"x":2}"#);
}
