package org.diffusiondepot.serve;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the browser tests: Debian's {@code chromium} driven through its
 * {@code chromedriver} (both found on the PATH; {@code ci/install-chromium} installs them). Where
 * either is missing the calling test is skipped, with a message saying how to install them.
 * Nothing is downloaded: Selenium is given both paths, so its driver manager never runs.
 */
final class Browser {
  /**
   * Selenium warns that it has no DevTools bindings for this Chromium version; the tests use
   * WebDriver only, so the warning says nothing about them. (Held here: a logger that nothing
   * references may be collected and forget its level.)
   */
  private static final java.util.logging.Logger SELENIUM_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium");

  private Browser() {}

  static ChromeDriver start(Path profile) throws IOException {
    Optional<Path> chromium = onPath("chromium", "chromium-browser");
    Optional<Path> driver = onPath("chromedriver");
    Assumptions.assumeTrue(chromium.isPresent() && driver.isPresent(), "browser tests skipped: no "
        + (chromium.isEmpty() ? "chromium" : "chromedriver") + " on the PATH; install Debian's packages with "
        + "ci/install-chromium (apt-get install -y chromium chromium-driver)");
    Files.createDirectories(profile);
    SELENIUM_LOG.setLevel(java.util.logging.Level.SEVERE);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.get().toFile());
    // As root Chromium refuses to start without --no-sandbox (the pages are our own, on loopback);
    // the networking flags keep it from calling out, which this machine's closed network refuses.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(driver.get().toFile())
        .usingAnyFreePort()
        .withLogOutput(java.io.OutputStream.nullOutputStream())
        .build();
    ChromeDriver browser = new ChromeDriver(service, options);
    browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return browser;
  }

  static Optional<Path> onPath(String... names) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String name : names) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Arrays.stream(names).map(n -> Path.of("/usr/bin", n)).filter(Files::isExecutable).findFirst();
  }
}
