"""FEEL simple unary tests, as dmn-js writes them in input entries, turned into Python.

SpiffWorkflow reads an input entry as Python: `?` stands for the input value, an entry that
parses alone is compared with `==`, anything else is appended to the input expression
(`DMNEngine.evaluate`). dmn-js writes FEEL instead, and no maintained FEEL library exists on
PyPI, so the adapter translates the subset the editor writes, once, at deploy:

    -                              any value
    < 70   <= 70   > 1   >= 70     a comparison with a number or a string
    [1..5]  ]1..5[  [1..5[  (1..5)  an interval, closed with [ ], open with ] [ or ( )
    70   "a"   true   false        equal to the value
    "a","b"   < 1, > 9             any test of the list
    not(...)                       none of the tests

A cell Python reads the same way (`< 70`, `70`, `"a"`) is left as it is, so tables deployed
before keep their compiled specs. Text outside the subset is not FEEL to this module:
`unary_tests_to_python` answers None and the lint decides whether it is a Python cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<number>-?(?:\d+(?:\.\d+)?|\.\d+))
    | (?P<range>\.\.)
    | (?P<operator><=|>=|<|>)
    | (?P<punct>[\[\](),])
    | (?P<word>[A-Za-z_]\w*)
    )""", re.VERBOSE)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "'": "'"}
_UNICODE_ESCAPE = re.compile(r"u([0-9a-fA-F]{4})")
_BOOLEANS = {"true": True, "false": False}
# Interval brackets: a bracket facing the range includes its endpoint.
_LOWER = {"[": "<=", "]": "<", "(": "<"}
_UPPER = {"]": "<=", "[": "<", ")": "<"}


class _NotFeel(Exception):
    """The text is not in the subset (the lint decides what it is instead)."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


@dataclass(frozen=True)
class _Test:
    """One positive unary test, already as Python over `?`; `plain`: Python reads the FEEL
    text of this test the same way, untranslated; `equals`: the value of an equality test."""

    python: str
    plain: bool
    equals: str | None = None


def unary_tests_to_python(text: str | None) -> str | None:
    """The input entry `text` as SpiffWorkflow should read it, or None when it is not in
    the FEEL subset. `-` (any value) is answered as `-`; a cell Python already reads the same
    way comes back unchanged."""
    if text is None:
        return None
    try:
        tokens = _tokens(text)
        if [t.text for t in tokens] == ["-"]:
            return "-"
        negated, tests = _Parser(tokens).unary_tests()
    except _NotFeel:
        return None
    if not negated and len(tests) == 1 and tests[0].plain and text == text.strip():
        return text
    return _joined(negated, tests)


def _joined(negated: bool, tests: list[_Test]) -> str:
    """The tests or-ed; equalities as one `? in (…)`, the way the tables of bpmn/ write it
    (and with one `?`, which SpiffWorkflow looks for with a regex over the rest of the cell)."""
    values = [t.equals for t in tests if t.equals is not None]
    parts = [t.python for t in tests if t.equals is None or len(values) == 1]
    if len(values) > 1:
        parts.insert(0, f"? in ({', '.join(values)})")
    python = parts[0] if len(parts) == 1 else " or ".join(f"({part})" for part in parts)
    return f"not ({python})" if negated else python


def _tokens(text: str) -> list[_Token]:
    if text.strip() == "-":
        return [_Token("punct", "-")]
    tokens, position, end = [], 0, len(text.rstrip())
    while position < end:
        match = _TOKEN.match(text, position)
        if match is None:
            raise _NotFeel
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over the simple unary tests of the DMN 1.3 FEEL grammar."""

    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.position = 0

    def unary_tests(self) -> tuple[bool, list[_Test]]:
        negated = self._peek().text == "not"
        if negated:
            self._expect("not")
            self._expect("(")
        tests = [self._positive_test()]
        while self._peek().text == ",":
            self._expect(",")
            tests.append(self._positive_test())
        if negated:
            self._expect(")")
        if self.position != len(self.tokens):
            raise _NotFeel
        return negated, tests

    def _positive_test(self) -> _Test:
        token = self._peek()
        if token.kind == "operator":
            self.position += 1
            endpoint, plain = self._endpoint()
            return _Test(f"? {token.text} {endpoint}", plain)
        if token.text in _LOWER:
            return self._interval()
        value, plain = self._literal()
        if value in ("True", "False"):
            return _Test(f"? is {value}", plain=False)
        return _Test(f"? == {value}", plain, equals=value)

    def _interval(self) -> _Test:
        lower = _LOWER[self._next().text]
        start, _ = self._endpoint()
        self._expect("..")
        end, _ = self._endpoint()
        upper = _UPPER.get(self._next().text)
        if upper is None:
            raise _NotFeel
        return _Test(f"{start} {lower} ? {upper} {end}", plain=False)

    def _endpoint(self) -> tuple[str, bool]:
        value, plain = self._literal()
        if value in ("True", "False"):
            raise _NotFeel  # FEEL orders numbers, strings and dates; booleans have no order
        return value, plain

    def _literal(self) -> tuple[str, bool]:
        """A literal as Python source, and whether Python reads its FEEL text the same."""
        token = self._next()
        if token.kind == "number":
            return _python_number(token.text), token.text == _python_number(token.text)
        if token.kind == "string":
            # Spiff's `?` substitution miscounts quotes inside strings: keep those translated.
            return _python_string(_feel_string(token.text)), not set("\\?'") & set(token.text)
        if token.kind == "word" and token.text in _BOOLEANS:
            return repr(_BOOLEANS[token.text]), False
        raise _NotFeel

    def _peek(self) -> _Token:
        return self.tokens[self.position] if self.position < len(self.tokens) else _Token("end", "")

    def _next(self) -> _Token:
        token = self._peek()
        self.position += 1
        return token

    def _expect(self, text: str) -> None:
        if self._next().text != text:
            raise _NotFeel


def _python_number(text: str) -> str:
    # FEEL allows leading zeros (`007`), Python refuses them.
    if "." not in text:
        return str(int(text))
    return repr(float(text))


def _feel_string(literal: str) -> str:
    body, chars, index = literal[1:-1], [], 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            chars.append(char)
            index += 1
            continue
        escape = body[index + 1]
        unicode = _UNICODE_ESCAPE.match(body, index + 1)
        if unicode:
            chars.append(chr(int(unicode.group(1), 16)))
            index += 6
        elif escape in _ESCAPES:
            chars.append(_ESCAPES[escape])
            index += 2
        else:
            raise _NotFeel
    return "".join(chars)


def _python_string(value: str) -> str:
    """A Python literal holding no quote and no `?` of its own: SpiffWorkflow replaces each
    `?` that an even number of quote characters follows, whatever the quotes mean."""
    return '"' + "".join(_escaped(char) for char in value) + '"'


def _escaped(char: str) -> str:
    if char in "\"'?\\" or not char.isprintable():
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    return char
