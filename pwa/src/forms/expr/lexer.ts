import { ExpressionError } from "./errors";
import { MAX_EXPRESSION_LENGTH } from "./limits";

export type TokenKind = "num" | "str" | "ref" | "dot" | "name" | "(" | ")" | "," | "op" | "eof";

export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  number: number;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isLetter = (c: string | undefined): boolean =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
const isNameStart = (c: string | undefined): boolean => isLetter(c) || c === "_";
const isNameChar = (c: string | undefined): boolean => isNameStart(c) || isDigit(c);

/** Tokenise; positions are code-point offsets, as in Python. */
export function tokenize(source: string): Token[] {
  const s = Array.from(source);
  if (s.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      "limit",
      `expression longer than ${MAX_EXPRESSION_LENGTH} characters`,
      0,
    );
  }
  const tokens: Token[] = [];
  const n = s.length;
  const push = (kind: TokenKind, text: string, pos: number, number = 0): void => {
    tokens.push({ kind, text, pos, number });
  };
  let i = 0;
  while (i < n) {
    const c = s[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === "." && isDigit(s[i + 1]))) {
      while (i < n && isDigit(s[i])) i++;
      if (i < n && s[i] === ".") {
        i++;
        while (i < n && isDigit(s[i])) i++;
      }
      const text = s.slice(start, i).join("");
      const value = Number(text);
      if (!Number.isFinite(value)) throw new ExpressionError("limit", "number out of range", start);
      push("num", text, start, value);
      continue;
    }
    if (c === "'" || c === '"') {
      let end = i + 1;
      while (end < n && s[end] !== c) end++;
      if (end >= n) throw new ExpressionError("syntax", "unterminated string", start);
      push("str", s.slice(i + 1, end).join(""), start);
      i = end + 1;
      continue;
    }
    if (c === "$") {
      if (s[i + 1] !== "{") throw new ExpressionError("syntax", "expected '{' after '$'", start);
      let j = i + 2;
      if (!isNameStart(s[j])) {
        throw new ExpressionError("syntax", "expected a field name after '${'", start);
      }
      while (j < n && isNameChar(s[j])) j++;
      if (s[j] !== "}") {
        throw new ExpressionError("syntax", "expected '}' to close the reference", start);
      }
      push("ref", s.slice(i + 2, j).join(""), start);
      i = j + 1;
      continue;
    }
    if (isLetter(c)) {
      // Names may contain '-' only between letters (count-selected), so 'div-1' is div - 1.
      let j = i + 1;
      while (j < n) {
        if (isNameChar(s[j])) j++;
        else if (s[j] === "-" && isLetter(s[j + 1])) j += 2;
        else break;
      }
      push("name", s.slice(i, j).join(""), start);
      i = j;
      continue;
    }
    if (c === "(" || c === ")" || c === ",") {
      push(c, c, start);
      i++;
      continue;
    }
    if (c === ".") {
      push("dot", ".", start);
      i++;
      continue;
    }
    if (c === "<" || c === ">" || c === "!") {
      if (s[i + 1] === "=") {
        push("op", c + "=", start);
        i += 2;
        continue;
      }
      if (c === "!") throw new ExpressionError("syntax", "unexpected '!' (use != or not)", start);
      push("op", c, start);
      i++;
      continue;
    }
    if (c === "=" || c === "+" || c === "-" || c === "*" || c === "/") {
      push("op", c, start);
      i++;
      continue;
    }
    throw new ExpressionError("syntax", `unexpected character ${JSON.stringify(c)}`, start);
  }
  push("eof", "", n);
  return tokens;
}
