"""Limits shared with the TypeScript implementation (pwa/src/forms/expr/limits.ts)."""

MAX_EXPRESSION_LENGTH = 4000  # code points of source
MAX_DEPTH = 32  # nesting of parentheses, function arguments, unary minus and 'not'
MAX_STRING_LENGTH = 10_000  # code points of any string value taken from the context
MAX_PATTERN_LENGTH = 200  # code points of a regex() pattern
MAX_REPEAT_COUNT = 100  # largest n/m in a regex {n,m}
MAX_REGEX_STATES = 2000  # size of the compiled regex automaton
