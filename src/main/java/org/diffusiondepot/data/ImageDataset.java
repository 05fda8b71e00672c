package org.diffusiondepot.data;

import java.io.IOException;
import java.util.List;

/** A fixed, indexable set of square images, all of the same resolution and channel count. */
public interface ImageDataset {
  int size();

  /** Side of every image, in pixels. */
  int resolution();

  /** 3 for RGB, 1 for grey. */
  int channels();

  /** Class names indexed by label; empty when the set is unlabeled. */
  List<String> classNames();

  /** Decodes item {@code index}; an IOException means this one item is unreadable. */
  Example get(int index) throws IOException;

  /** Human-readable identity of an item, such as its file path, for warnings. */
  String describe(int index);

  /**
   * Identity of an item that survives moving the data set, used to assign it to train or
   * validation. Defaults to {@link #describe}; datasets whose description contains a machine
   * dependent part (an absolute path) override it so a moved folder keeps its split.
   */
  default String stableKey(int index) {
    return describe(index);
  }
}
