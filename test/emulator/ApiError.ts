// Test infrastructure: an error answer of the emulated Databricks REST API.
// Thrown by the stores and turned into `{ error_code, message }` with the HTTP status by the server.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static invalidParameter(message: string): ApiError {
    return new ApiError(400, 'INVALID_PARAMETER_VALUE', message);
  }

  static alreadyExists(message: string): ApiError {
    return new ApiError(400, 'RESOURCE_ALREADY_EXISTS', message);
  }

  static doesNotExist(message: string): ApiError {
    return new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', message);
  }
}
