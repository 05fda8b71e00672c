package org.diffusiondepot.config;

import org.diffusiondepot.runtime.UserError;

/**
 * A config that cannot be used, or a run directory or export that does not fit its config; the
 * message names the file, the field and what was expected.
 */
public final class ConfigException extends UserError {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
