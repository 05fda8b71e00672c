package org.diffusiondepot.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.tensorflow.TensorFlow;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} of both tools: the project version stamped in by the build, the TensorFlow
 * and TensorFlow Java versions, and the native library in use with the devices it sees (a bug
 * report needs all three; "is my GPU used?" needs the last), and which CPU kernels TensorFlow
 * picked (Eigen's or oneDNN's: speed differs by CPU, README "Performance").
 */
public final class VersionInfo implements IVersionProvider {
  private static final String PROPERTIES = "version.properties";
  private static final String TF_JAVA_PROPERTIES = "/META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties";

  private final String tool;

  public VersionInfo(String tool) {
    this.tool = tool;
  }

  /**
   * Answers {@code --version} of {@code cli} and all its subcommands. Set here rather than in the
   * {@code @Command} annotation: picocli asks an inherited version provider for its text while it
   * builds each subcommand, and this one loads TensorFlow and opens a session, which only
   * {@code --version} should pay for.
   */
  public static void install(CommandLine cli) {
    VersionInfo provider = new VersionInfo(cli.getCommandName());
    installIn(cli, provider);
  }

  private static void installIn(CommandLine cli, VersionInfo provider) {
    cli.getCommandSpec().versionProvider(provider);
    cli.getSubcommands().values().forEach(sub -> installIn(sub, provider));
  }

  @Override
  public String[] getVersion() {
    return new String[] {
        tool + " " + projectVersion(),
        "TensorFlow " + TensorFlow.version() + " (TensorFlow Java " + tensorFlowJavaVersion() + ")",
        TensorFlowNative.inspect().describe(),
        "CPU kernels: " + ActiveKernels.describe()};
  }

  /** The version in pom.xml, as filtered into {@code version.properties} by the build. */
  public static String projectVersion() {
    return read(VersionInfo.class.getResourceAsStream(PROPERTIES), "project.version");
  }

  /** TensorFlow Java's version, from the Maven metadata inside its jar. */
  static String tensorFlowJavaVersion() {
    return read(TensorFlow.class.getResourceAsStream(TF_JAVA_PROPERTIES), "version");
  }

  private static String read(InputStream in, String key) {
    if (in == null) {
      return "unknown";
    }
    try (in) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty(key, "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
