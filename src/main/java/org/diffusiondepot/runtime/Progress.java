package org.diffusiondepot.runtime;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Terminal progress bars with step counts, rate and ETA, the same everywhere in the project. */
public final class Progress {
  private Progress() {}

  public static ProgressBar bar(String task, long max, long start) {
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .setMaxRenderedLength(120)
        .startsFrom(start, Duration.ZERO)
        .build();
  }
}
