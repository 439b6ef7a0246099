/** The single error type of the expression language (mirrors survey_forms/expr/errors.py). */
export type ErrorCode =
  | "syntax"
  | "limit"
  | "unknown_function"
  | "arity"
  | "argument"
  | "regex"
  | "type"
  | "division_by_zero"
  | "reference";

export class ExpressionError extends Error {
  readonly code: ErrorCode;
  /** 0-based offset in Unicode code points into the expression source. */
  readonly position: number;

  constructor(code: ErrorCode, message: string, position = 0) {
    super(message);
    this.name = "ExpressionError";
    this.code = code;
    this.position = position;
  }
}
