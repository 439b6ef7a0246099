// Shared with survey_forms/expr/limits.py: change both together.
export const MAX_EXPRESSION_LENGTH = 4000;
export const MAX_DEPTH = 32;
export const MAX_STRING_LENGTH = 10_000;
export const MAX_PATTERN_LENGTH = 200;
export const MAX_REPEAT_COUNT = 100;
export const MAX_REGEX_STATES = 2000;
