package org.diffusiondepot.eval;

import java.util.List;

/**
 * How often a classifier recognises the class a sample was generated for: per intended class and
 * overall, with the confusion matrix. For class-conditional samples, low accuracy on one class
 * means the model ignores (or confuses) that label.
 */
public final class PerClassAccuracy {
  private final List<String> classNames;
  /** confusion[intended][predicted]. */
  private final int[][] confusion;
  private final int total;
  private final int correct;

  private PerClassAccuracy(List<String> classNames, int[][] confusion, int total, int correct) {
    this.classNames = classNames;
    this.confusion = confusion;
    this.total = total;
    this.correct = correct;
  }

  /** Labels index {@code classNames}; predicted[i] is compared with intended[i]. */
  public static PerClassAccuracy of(int[] predicted, int[] intended, List<String> classNames) {
    if (predicted.length != intended.length) {
      throw new IllegalArgumentException(predicted.length + " predictions for " + intended.length + " labels");
    }
    int k = classNames.size();
    int[][] confusion = new int[k][k];
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (intended[i] < 0 || intended[i] >= k || predicted[i] < 0 || predicted[i] >= k) {
        throw new IllegalArgumentException("label outside 0.." + (k - 1) + " at " + i + ": intended " + intended[i]
            + ", predicted " + predicted[i]);
      }
      confusion[intended[i]][predicted[i]]++;
      correct += predicted[i] == intended[i] ? 1 : 0;
    }
    return new PerClassAccuracy(List.copyOf(classNames), confusion, predicted.length, correct);
  }

  public List<String> classNames() {
    return classNames;
  }

  /** Fraction correct over all samples; NaN when there are none. */
  public double overall() {
    return total == 0 ? Double.NaN : (double) correct / total;
  }

  /** Fraction of the samples intended as class c that were predicted as c; NaN when there are none. */
  public double accuracy(int c) {
    int n = count(c);
    return n == 0 ? Double.NaN : (double) confusion[c][c] / n;
  }

  /** Samples intended as class c. */
  public int count(int c) {
    int n = 0;
    for (int v : confusion[c]) {
      n += v;
    }
    return n;
  }

  public int total() {
    return total;
  }

  /** A copy of confusion[intended][predicted]. */
  public int[][] confusion() {
    int[][] copy = new int[confusion.length][];
    for (int i = 0; i < confusion.length; i++) {
      copy[i] = confusion[i].clone();
    }
    return copy;
  }

  /** Adds "accuracy" and "accuracy_<class>" (with "_samples" counts) to a report. */
  public void addTo(MetricsReport report) {
    report.put("accuracy", overall()).count("accuracy_samples", total);
    for (int c = 0; c < classNames.size(); c++) {
      report.put("accuracy_" + classNames.get(c), accuracy(c)).count("accuracy_" + classNames.get(c) + "_samples",
          count(c));
    }
  }

  /** A table: one row per class with count, correct, accuracy and the predicted-class counts. */
  @Override
  public String toString() {
    int nameWidth = "overall".length();
    for (String name : classNames) {
      nameWidth = Math.max(nameWidth, name.length());
    }
    int columnWidth = 8;
    for (String name : classNames) {
      columnWidth = Math.max(columnWidth, name.length() + 1);
    }
    StringBuilder out = new StringBuilder();
    String rowFormat = "%-" + nameWidth + "s %8s %8s %9s";
    out.append(String.format(rowFormat, "class", "samples", "correct", "accuracy"));
    out.append("   predicted as:");
    for (String name : classNames) {
      out.append(String.format(" %" + columnWidth + "s", name));
    }
    out.append('\n');
    for (int c = 0; c < classNames.size(); c++) {
      out.append(String.format(rowFormat, classNames.get(c), count(c), confusion[c][c], percent(accuracy(c))));
      out.append(" ".repeat("   predicted as:".length()));
      for (int p = 0; p < classNames.size(); p++) {
        out.append(String.format(" %" + columnWidth + "d", confusion[c][p]));
      }
      out.append('\n');
    }
    out.append(String.format(rowFormat, "overall", total, correct, percent(overall())));
    out.append('\n');
    return out.toString();
  }

  private static String percent(double fraction) {
    return Double.isNaN(fraction) ? "-" : String.format("%.1f%%", 100 * fraction);
  }
}
