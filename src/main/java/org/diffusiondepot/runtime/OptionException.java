package org.diffusiondepot.runtime;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * A command-line option or argument that cannot be used: a value out of range, options that do
 * not go together, or a file or folder it names that is missing, unreadable or of the wrong kind.
 * The message names the option or the path and says what was expected.
 */
public final class OptionException extends UserError {
  private static final long serialVersionUID = 1L;

  public OptionException(String message) {
    super(message);
  }

  public OptionException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A file-system failure on a path the user named, said without Java's exception names: the
   * NoSuchFileException or AccessDeniedException of a file the user gave is bad input, not a bug,
   * but only where the path is known to be the user's can it be reported as such.
   *
   * @param what what the path is, e.g. "--out" or "the report folder"
   */
  public static OptionException of(String what, Path path, IOException e) {
    String reason;
    if (e instanceof NoSuchFileException) {
      reason = "no such file or folder";
    } else if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof NotDirectoryException) {
      reason = "not a folder";
    } else if (e instanceof FileAlreadyExistsException) {
      reason = "a file is in the way";
    } else {
      reason = e.getMessage();
    }
    String where = e instanceof FileSystemException f && f.getFile() != null
        && !f.getFile().equals(path.toString()) ? " (at " + f.getFile() + ")" : "";
    return new OptionException(what + " " + path + ": " + reason + where, e);
  }
}
