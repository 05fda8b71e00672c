package org.diffusiondepot.serve;

/**
 * An answer other than success, with its HTTP status and a message for the page: 404 for an
 * unknown model, job or file, 405 for a wrong method, 413 for an oversized upload, 503 for a full
 * queue. Bad input the user can correct is a {@code UserError} and answered 400 with its message.
 */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  HttpError(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }

  static HttpError notFound(String what) {
    return new HttpError(404, what + " not found");
  }
}
