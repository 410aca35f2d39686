package org.nst4j.data;

/**
 * Thrown when a data file or folder is missing, corrupt, truncated or inconsistent.
 *
 * <p>The message is meant for the user as it stands: it names the file and what is wrong with it, so the
 * CLI prints it after {@code error:} without a stack trace.
 */
public class DataFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a one-line message naming the file and the defect
   */
  public DataFormatException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message a one-line message naming the file and the defect
   * @param cause the underlying error
   */
  public DataFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
