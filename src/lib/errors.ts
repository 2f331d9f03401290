/** An error the API answers with its own status and a JSON body `{error, ...details}`. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) => new ApiError(400, message, details);
export const unauthorized = (message = "Unauthorized") => new ApiError(401, message);
export const forbidden = (message = "Forbidden") => new ApiError(403, message);
export const notFound = (message = "Not found") => new ApiError(404, message);

export interface ValidationIssue {
  path: string;
  message: string;
}

export class ValidationError extends ApiError {
  constructor(
    readonly issues: ValidationIssue[],
    message = "Validation failed",
  ) {
    super(400, message, { issues });
    this.name = "ValidationError";
  }
}
