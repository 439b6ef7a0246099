// The form expression language, twin of survey_forms/expr (see survey_forms/EXPRESSIONS.md).
export type { ArithOp, CompareOp, Node } from "./ast";
export { references } from "./ast";
export { type ErrorCode, ExpressionError } from "./errors";
export { tokenize } from "./lexer";
export { FUNCTIONS, parse } from "./parser";
export { compileRegex } from "./regex";
export {
  type Answers,
  Context,
  type ContextInit,
  Expression,
  arith,
  compare,
  evaluate,
  evaluateNode,
} from "./evaluate";
export { type Value, formatNumber, toString, truthy } from "./values";
